"""`persona-toolkit scheduler`: the one process that does timed work."""

from __future__ import annotations

import datetime as dt
import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from toolkit.cli.common import open_db, require_secret_key
from toolkit.data.db import connect
from toolkit.jobs.queue import JobConsumer
from toolkit.jobs.scheduler import (
    GRACE_RULE,
    LeaseHeld,
    acquire_lease,
    holder_name,
    release_lease,
    run_blocking,
    run_pass,
)
from toolkit.mail import outbox

log = logging.getLogger("toolkit.jobs.scheduler")


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run one dispatch pass and exit (for cron and tests).")
@with_appcontext
def scheduler_command(once):
    """Run timed work (open and close rounds, invitations, reminders, review reminders) and the
    background jobs the web app queues (deriving personas, zips of briefs).

    Runs until stopped (SIGTERM or Ctrl+C), one pass a minute; JOB_WORKERS jobs at a time, each
    stopped after JOB_TIMEOUT_MINUTES. Jobs left running by a scheduler that died are run again
    once, then shown as failed. Only one scheduler may run per database: a second one refuses to
    start and says which process holds the lease. --once runs one pass and no jobs.
    """
    require_secret_key("the scheduler derives personal links and finds who has not answered yet")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    config = dict(current_app.config)
    database_path = config["DATABASE"]
    holder = holder_name()
    database = open_db()
    try:
        try:
            previous = acquire_lease(database, holder)
        except LeaseHeld as exc:
            raise click.ClickException(str(exc)) from exc
        # We hold the lease, so whatever another scheduler left half-sent is ours to settle.
        settled = outbox.release_stale(database, dt.datetime.now(dt.UTC), holder, takeover=True)
        if previous:
            log.warning("took over the lease from %s (that process is gone): %s", previous, settled)
    finally:
        database.conn.close()
    try:
        if once:
            report = run_pass(database_path, config, holder)
            click.echo(report.summary() if report else "lease lost")
        else:
            consumer = JobConsumer(database_path, workers=int(config["JOB_WORKERS"]), worker=holder,
                                   timeout=float(config["JOB_TIMEOUT_MINUTES"]) * 60)
            started = consumer.start()
            click.echo(f"Scheduler running (holder {holder}); one pass a minute; background jobs: "
                       f"{len(started['queued'])} queued, {len(started['requeued'])} re-run after an interruption. "
                       f"{GRACE_RULE}")
            try:
                run_blocking(database_path, config, holder)
            finally:
                consumer.stop()
    finally:
        database = connect(database_path)
        try:
            release_lease(database, holder)
        finally:
            database.conn.close()


COMMANDS = (scheduler_command,)
