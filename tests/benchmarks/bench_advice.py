"""How different the advice is per persona.  Run: python tests/benchmarks/bench_advice.py

For the demo's two rounds (the baseline and the follow-up of ``persona-toolkit demo``, same
synthetic segments and seeds) and both languages: the share of each persona's advice
sentences that another persona's advice repeats word for word, per pair and as max and
mean, and each persona's most important advice with the trait it rests on. Goal (issue 18):
at most 25 % for every pair. The measure is in tests/advice_overlap.py.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    from advice_overlap import advice_by_persona, overlaps, summary, table, top_rules, top_trait
    from test_advice_evidence import DEMO_ROUNDS, demo_round

    from toolkit.core.guidance import default_guidance
    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.services.demo import demo_follow_up_segments

    q, rules = get_questionnaire("default"), default_guidance()
    worst = 0.0
    for name, (seed, segments) in DEMO_ROUNDS.items():
        persona_set = demo_round(q, seed, demo_follow_up_segments() if segments else None)
        for lang in ("nl", "en"):
            started = time.perf_counter()
            advice = advice_by_persona(rules, persona_set, lang, q)
            took = time.perf_counter() - started
            rows = overlaps(persona_set, advice)
            worst = max(worst, summary(rows)[0])
            print(f"== {name} ({lang}), advice for {len(advice)} personas in {took * 1000:.0f} ms")
            print(table(rows))
        for p in persona_set["personas"]:
            tops = top_rules({p["key"]: advice[p["key"]]})[p["key"]]
            print(f"  {p['key']} {top_trait(p)}: " + ", ".join(
                f"{aud} {a.rule_id} ({a.strength:.2f} sd)" for aud, a in tops.items() if a))
    print(f"worst pair: {worst:.0%} (goal: at most 25%)")
    return 0 if worst <= 0.25 else 1


if __name__ == "__main__":
    sys.exit(main())
