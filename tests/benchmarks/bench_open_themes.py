"""Benchmark the themes of open answers.  Run: python tests/benchmarks/bench_open_themes.py

What describing personas costs, and the themes step within it, on synthetic respondents of the
four demo segments (few distinct answers, as in the demo); then the themes step alone on 10 000
respondents who each wrote two answers of their own (random sentences from the words of
tests/open_answers.py: nearly every answer distinct, the worst case). Goal: the worst case under
20 s of CPU time (the step runs on one thread; on a busy shared machine the wall time can be
several times more, so both are printed). Exit status 1 when the goal is missed.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

WORST_CASE_GOAL = 20.0


def main() -> int:
    from toolkit.core.open_themes import persona_open_themes
    from toolkit.core.personas import derive_personas, describe_personas
    from toolkit.core.questionnaire import load_questionnaire
    from toolkit.core.scoring import score_matrix
    from toolkit.core.synthetic import generate_responses

    q = load_questionnaire(ROOT / "questionnaires" / "default.toml")
    persona_open_themes(q, {"a": {"open_help": "warm up"}}, {"p": ["a"]})  # load the dictionaries
    for n in (2_000, 10_000):
        answers, _, contexts = generate_responses(q, n, seed=1)
        persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=0)
        members = {p["key"]: p["members"] for p in persona_set["personas"]}
        start = time.perf_counter()
        describe_personas(persona_set, q, answers, contexts)
        described = time.perf_counter() - start
        start = time.perf_counter()
        persona_open_themes(q, answers, members)
        themes = time.perf_counter() - start
        print(f"{n:>6} demo respondents: describe_personas {described:.2f} s, of which themes {themes:.2f} s")
    rng = random.Random(5)
    words = sorted({w.strip(".,?!'") for text in _vocabulary() for w in text.split()})
    answers = {f"r{i}": {"open_help": " ".join(rng.choices(words, k=rng.randint(4, 9))),
                         "open_worry": " ".join(rng.choices(words, k=rng.randint(4, 9)))} for i in range(10_000)}
    members = {"p1": [f"r{i}" for i in range(0, 10_000, 2)], "p2": [f"r{i}" for i in range(1, 10_000, 2)]}
    start, cpu = time.perf_counter(), time.process_time()
    persona_open_themes(q, answers, members)
    wall, worst = time.perf_counter() - start, time.process_time() - cpu
    print(f"10 000 respondents, 20 000 answers from {len(words)} words: themes {worst:.2f} s CPU, "
          f"{wall:.2f} s wall (goal < {WORST_CASE_GOAL:.0f} s CPU)")
    return 0 if worst < WORST_CASE_GOAL else 1


def _vocabulary() -> list[str]:
    sys.path.insert(0, str(ROOT / "tests"))
    from open_answers import TEXTS

    return [text.lower() for per_lang in TEXTS.values() for texts in per_lang.values() for text in texts]


if __name__ == "__main__":
    sys.exit(main())
