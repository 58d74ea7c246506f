"""Round pages: the list, a new round, its page and dashboard, opening and closing it, importing
participants and answers, exporting answers, deriving personas and retrying failed mail."""
