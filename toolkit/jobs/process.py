"""Naming the process that holds work, and telling whether it still exists.

The scheduler's lease and a running job both record who holds them as "host:pid:random"
(random because pids are reused). A holder on this machine whose process is gone can be taken
over at once; one on another machine only after its lease or heartbeat runs out.
"""

from __future__ import annotations

import os
import secrets
import socket


def process_name() -> str:
    """This process as "host:pid:random", e.g. "web1:4242:9f2c1a"."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def process_gone(name: str | None) -> bool:
    """True when ``name`` (from :func:`process_name`) ran on this machine and its process no
    longer exists; False for another machine, a name of another shape, or a process that exists
    (also one we may not signal)."""
    host, _, rest = (name or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
