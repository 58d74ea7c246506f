"""The scheduler process's work: timed steps (`scheduler`) and the background jobs that derive
personas and zip briefs (`queue`, `runner`, `work`). The web app only queues jobs."""
