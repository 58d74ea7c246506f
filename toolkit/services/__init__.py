"""Services: steps that join data, core and briefs (deriving a round, imports, exports,
retention, programmes, backups, health checks, the demo), called alike by web, cli and jobs."""
