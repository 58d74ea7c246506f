"""Staff login and logout (with limits on failed attempts), and the start page at "/"."""
