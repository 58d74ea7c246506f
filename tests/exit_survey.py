"""A synthetic exit survey for the own-instrument tests and the README's example file.

docs/examples/exit-survey.toml is the instrument: six attitudes (three statements each) form
the personas; reason_manager, reason_pay (yes/no) and separation (categories) are outcomes.
Two kinds of leavers are planted: about 30 % with a poor manager relationship and little room
to grow, who name the manager as a reason in about 40 % of cases against 5 % of the others;
"retired" is given by only three people (under every minimum group).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENT = ROOT / "docs" / "examples" / "exit-survey.toml"
EXAMPLE_CSV = ROOT / "docs" / "examples" / "exit-survey.csv"
CONSTRUCTS = ("pay", "manager", "growth", "workload", "team", "balance")
SHIFT_A = np.array([0.0, -1.6, -1.2, 0.0, 0.2, 0.0])
SHIFT_B = np.array([0.0, 0.4, 0.3, 0.0, 0.0, 0.0])


def exit_rows(n: int = 400, seed: int = 17, strength: float = 1.0) -> list[dict[str, str]]:
    """``n`` respondents as export rows (respondent_id, 18 items, team, outcomes, rehire, absence_days).

    ``strength`` scales how far apart the two kinds of leavers are (1.0: clearly apart).
    """
    rng = np.random.default_rng(seed)
    is_a = rng.random(n) < 0.3
    retired = set(rng.choice(np.flatnonzero(~is_a), 3, replace=False).tolist())
    rows = []
    for r in range(n):
        centre = 3.4 + rng.normal(0, 0.35) + strength * (SHIFT_A if is_a[r] else SHIFT_B)
        row = {"respondent_id": f"X{r + 1:04d}"}
        for j, construct in enumerate(CONSTRUCTS):
            for i in range(1, 4):
                row[f"{construct}_{i}"] = str(int(np.clip(np.rint(centre[j] + rng.normal(0, 0.55)), 1, 5)))
        row["team"] = str(rng.choice(["Sales", "Operations", "Finance", "IT"], p=[0.35, 0.35, 0.15, 0.15]))
        row["reason_manager"] = "yes" if rng.random() < (0.40 if is_a[r] else 0.05) else "no"
        row["reason_pay"] = "yes" if rng.random() < 0.2 else "no"
        row["separation"] = "retired" if r in retired else str(
            rng.choice(["resigned", "end of contract", "dismissed"], p=[0.7, 0.2, 0.1]))
        row["rehire"] = "ja" if rng.random() < (0.5 if is_a[r] else 0.8) else "nee"
        row["absence_days"] = f"{max(0.0, rng.normal(9 if is_a[r] else 5, 3)):.1f}"
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], order_seed: int | None = None) -> Path:
    """Write ``rows`` as a comma CSV, in a shuffled order when ``order_seed`` is given."""
    rows = list(rows)
    if order_seed is not None:
        rows = [rows[i] for i in np.random.default_rng(order_seed).permutation(len(rows))]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


if __name__ == "__main__":  # regenerate docs/examples/exit-survey.csv
    write_csv(EXAMPLE_CSV, exit_rows())
