"""`persona-toolkit serve`: the web app under gunicorn."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from toolkit.cli.common import init_database, require_secret_key
from toolkit.services.health import MIN_FREE_MB, check_instance
from toolkit.web import server
from toolkit.web.app import create_app


def refuse_unhealthy_start() -> None:
    """Stop with every reason when the instance cannot take answers safely (damaged, read-only, full)."""
    report = check_instance(current_app.config["DATABASE"], quick=True,
                            min_free_mb=int(current_app.config.get("MIN_FREE_MB", MIN_FREE_MB)))
    if not report.ok:
        raise click.ClickException("not starting:\n" + "\n".join(f"  - {p}" for p in report.problems))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: one per CPU, at least 2).")
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Threads per worker process.")
@with_appcontext
def serve(host, port, workers, threads):
    """Serve the web app with gunicorn (a production WSGI server), one process per CPU."""
    require_secret_key()
    init_database()
    refuse_unhealthy_start()  # damaged, read-only or full: say so before taking answers
    workers = workers or server.default_workers()
    click.echo(f"Serving Persona Toolkit on http://{host}:{port} ({workers} worker process{'es' if workers > 1 else ''}"
               f" x {threads} thread{'s' if threads > 1 else ''}); Ctrl+C stops.")
    sys.stdout.flush()
    server.run(create_app, host, port, workers, threads)


COMMANDS = (serve,)
