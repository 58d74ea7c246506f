"""Data access: SQLite through sqlite-utils, one module per table family; `db` for connections
and transactions, `migrations` for the only way the schema changes. Imports core only."""
