"""Page times at 1k, 10k and 100k responses: does a page's cost grow with the round? (issue 23)

Rounds of the default questionnaire (every item answered, 24 teams, anonymous and closed, with a
persona set) are built once by tests/benchmarks/scale_round.py and cached under tests/output/.
Each page is requested in-process through Flask's test client, logged in as HR: the round
dashboard, the round page and the personas page; one warm-up request, then the median of
BENCH_REQUESTS (default 15), the sizes taking turns request by request. Prints the absolute times and the dashboard's time at the largest
size divided by its time at 1k (goal <= 1.5; exit status 1 when missed).

    .venv/bin/python tests/benchmarks/bench_scale_pages.py
    BENCH_SIZES=1000,10000,100000 BENCH_REQUESTS=7
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_round  # noqa: E402  (the builder beside this file)

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "15"))
RATIO_GOAL = 1.5
PAGES = {"dashboard": "/rounds/{id}/dashboard", "round page": "/rounds/{id}", "personas page": "/rounds/{id}/personas"}


class SizeClient:
    """An HR test client on the cached round of ``n`` responses, working in a thread of its own
    (so each size keeps its own database connection, as a server thread does)."""

    def __init__(self, n: int):
        self.n = n
        self.thread = ThreadPoolExecutor(max_workers=1)
        self.thread.submit(self._start).result()

    def _start(self) -> None:
        folder, self.round_id = scale_round.build(self.n)
        os.environ["PERSONA_TOOLKIT_INSTANCE"] = str(folder)
        from toolkit import create_app

        app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": False})
        self.client = app.test_client()
        response = self.client.post("/login", data={"email": scale_round.HR_EMAIL, "password": scale_round.PASSWORD})
        assert response.status_code in (302, 303), response.status_code
        for path in PAGES.values():  # warm-up
            assert self.client.get(path.format(id=self.round_id) + "?lang=en").status_code == 200

    def _get(self, path: str) -> float:
        started = time.perf_counter()
        response = self.client.get(path.format(id=self.round_id) + "?lang=en")
        seconds = time.perf_counter() - started
        assert response.status_code == 200, (self.n, path, response.status_code)
        return seconds

    def time(self, path: str) -> float:
        """Seconds for one request of ``path`` ({id} is the round)."""
        return self.thread.submit(self._get, path).result()


def page_times(sizes: list[int]) -> dict[int, dict[str, float]]:
    """Median seconds per size and page. The sizes take turns request by request, so a change in
    the machine's load (2 CPUs shared with other work) falls on every size alike."""
    clients = [SizeClient(n) for n in sizes]
    samples: dict[int, dict[str, list[float]]] = {n: {name: [] for name in PAGES} for n in sizes}
    for _ in range(REQUESTS):
        for client in clients:
            for name, path in PAGES.items():
                samples[client.n][name].append(client.time(path))
    return {n: {name: statistics.median(values) for name, values in pages.items()} for n, pages in samples.items()}


def main() -> int:
    """Measure every size, print the table and the dashboard ratio; 1 when the goal is missed."""
    results = page_times(SIZES)
    print(f"{'responses':>10} " + " ".join(f"{name:>14}" for name in PAGES))
    for n, times in results.items():
        print(f"{n:>10,} " + " ".join(f"{times[name] * 1000:>11.1f} ms" for name in PAGES))
    smallest, largest = min(results), max(results)
    ratio = results[largest]["dashboard"] / results[smallest]["dashboard"]
    print(f"dashboard at {largest:,} / at {smallest:,}: {ratio:.2f} (goal <= {RATIO_GOAL})")
    for name in PAGES:
        if name != "dashboard":
            print(f"{name} at {largest:,} / at {smallest:,}: {results[largest][name] / results[smallest][name]:.2f}")
    return 0 if ratio <= RATIO_GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
