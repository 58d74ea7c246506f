"""The production server forks worker processes: no SQLite connection may cross the fork."""

from __future__ import annotations

import os

from toolkit.data.db import (
    connect,
    drop_thread_connection,
    forget_thread_connection,
    thread_connection,
)
from toolkit.data.migrations import migrate


def test_a_forked_worker_opens_its_own_connection_and_leaves_the_parents_alone(tmp_path):
    path = str(tmp_path / "toolkit.db")
    migrate(connect(path))
    parent = thread_connection(path)
    parent.execute("CREATE TABLE marks (who TEXT)")
    pid = os.fork()
    if pid == 0:  # the worker
        code = 1
        try:
            forget_thread_connection()
            own = thread_connection(path)
            own.execute("INSERT INTO marks VALUES ('worker')")
            code = 0 if own is not parent else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    # The parent's connection still works and sees the worker's write.
    parent.execute("INSERT INTO marks VALUES ('parent')")
    assert sorted(r[0] for r in parent.execute("SELECT who FROM marks")) == ["parent", "worker"]
    drop_thread_connection()
