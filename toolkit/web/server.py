"""The production WSGI server: gunicorn with one worker process per CPU.

Why processes, not threads: answering a survey page is Python work (session, form validation,
a short SQLite write), and one Python process runs Python on one core at a time. With several
threads in one process (waitress, as before) every SQLite call hands the GIL to another thread
and has to win it back, so 8 threads stored answers at about half the rate one thread did
(measured: tests/benchmarks/bench_submit.py). Worker processes use every core and never wait
for each other's GIL; SQLite's locking keeps their writes apart.

Workers are forked from this process: no SQLite connection may cross the fork, so the one this
thread may hold is closed before gunicorn starts and forgotten again in each new worker. Each
worker builds its own app with `factory` after the fork.

Sync workers handle one request at a time and close the connection after it; put the app
behind the reverse proxy that terminates TLS (it buffers slow clients). `threads` > 1 gives
each worker that many threads instead (gunicorn's gthread worker).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from gunicorn.app.base import BaseApplication

from toolkit.data.db import drop_thread_connection, forget_thread_connection


def default_workers() -> int:
    """Worker processes to start: one per CPU, at least 2 and at most 16."""
    return max(2, min(os.cpu_count() or 1, 16))


class _Server(BaseApplication):
    def __init__(self, factory: Callable, options: dict):
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.factory()


def _post_fork(_arbiter, _worker) -> None:
    forget_thread_connection()


def options(host: str, port: int, workers: int, threads: int = 1, name: str = "persona-toolkit") -> dict:
    """gunicorn's settings for serving on `host`:`port` with `workers` processes.

    `threads` > 1 switches to the gthread worker with that many threads per process; `name` is
    the process title. A request may take 120 s before its worker is restarted, stopping waits
    up to 30 s, idle connections are kept 5 s. No access log (respondents' addresses are not
    kept); warnings and errors go to stderr.
    """
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        # Long requests exist (a large export, a brief with charts): a worker is only
        # restarted when one takes longer than this.
        "timeout": 120,
        "graceful_timeout": 30,
        "keepalive": 5,
        "accesslog": None,  # no per-request log: respondents' addresses are not kept
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": name,
        "post_fork": _post_fork,
    }


def run(factory: Callable, host: str, port: int, workers: int, threads: int = 1, name: str = "persona-toolkit") -> None:
    """Serve the WSGI app that `factory()` builds, until SIGINT/SIGTERM."""
    drop_thread_connection()
    _Server(factory, options(host, port, workers, threads, name)).run()
