"""Guessing personal links against `persona-toolkit serve` does not slow anyone else down.

Before: past 20 wrong links an address waited 1 s per link inside a sync worker, so four
guessing connections held both workers and an unrelated /login went from milliseconds to
seconds. Now such an address gets 429 at once and the workers stay free. Times are compared
with this test's own baseline on the same machine, never with a fixed number of milliseconds.
"""

from __future__ import annotations

import http.client
import secrets
import statistics
import threading
import time

GUESSES = 1000
CONNECTIONS = 4
LIMIT = 20  # TOKEN_GUESS_LIMIT's default


def timed_get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - started


def test_a_thousand_wrong_links_get_429_quickly_and_login_stays_fast(live_round, server):
    server.start()
    for _ in range(5):
        timed_get(server.port, "/login")  # warm both workers
    baseline = statistics.median(timed_get(server.port, "/login")[1] for _ in range(40))

    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def guess(count: int) -> None:
        for _ in range(count):
            outcome = timed_get(server.port, f"/s/{secrets.token_urlsafe(32)}")
            with lock:
                results.append(outcome)

    guessers = [threading.Thread(target=guess, args=(GUESSES // CONNECTIONS,)) for _ in range(CONNECTIONS)]
    started = time.perf_counter()
    for thread in guessers:
        thread.start()
    under_load = []
    while any(thread.is_alive() for thread in guessers):
        status, seconds = timed_get(server.port, "/login")
        assert status == 200
        under_load.append(seconds)
        time.sleep(0.01)
    for thread in guessers:
        thread.join()
    elapsed = time.perf_counter() - started

    statuses = [status for status, _ in results]
    assert len(results) == GUESSES and set(statuses) == {404, 429}
    # checking and counting are separate steps: connections in flight may each get one more 404
    assert LIMIT <= statuses.count(404) <= LIMIT + CONNECTIONS
    refused = statistics.median(seconds for status, seconds in results if status == 429)
    login_ratio = statistics.median(under_load) / baseline
    print(f"\n/login median alone {baseline * 1000:.1f} ms, under {CONNECTIONS} guessing connections "
          f"{statistics.median(under_load) * 1000:.1f} ms (x{login_ratio:.1f}, {len(under_load)} samples); "
          f"429 median {refused * 1000:.1f} ms; {GUESSES} guesses in {elapsed:.1f} s")
    assert len(under_load) >= 10
    # A 429 costs about what a small page costs, and /login is not held up: with the 1 s sleep
    # both were several hundred times slower (measured x440 for /login). What remains is sharing
    # two CPUs with four busy clients (x3-x7 measured on a 2-CPU machine), hence the margin.
    assert refused / baseline < 20
    assert login_ratio < 20
