"""The round's e-mail as HR sees it: invitation and reminder texts, previews, test messages,
"send now", one person's link, and the warning when the scheduler is not running."""
