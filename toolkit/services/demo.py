"""Demo data: accounts for each role, a round of synthetic answers, personas and briefs.

The answers come from toolkit.core.synthetic with known segments, so what the demo shows is what
the method finds in data whose truth we know.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from pathlib import Path

import sqlite_utils

from toolkit.core.questionnaire import get_questionnaire
from toolkit.core.synthetic import generate_responses
from toolkit.data import store
from toolkit.data.accounts import create_user
from toolkit.data.db import transaction

DEMO_PASSWORD = "persona-demo"
DEMO_USERS = (
    ("admin@demo.example", "Alex Admin", "admin"),
    ("hr@demo.example", "Hanna de Vries", "hr"),
    ("change@demo.example", "Chris Jansen", "change_manager"),
    ("trainer@demo.example", "Tara Bakker", "trainer"),
)


def _ensure_users(db: sqlite_utils.Database) -> dict[str, int]:
    ids = {}
    for email, name, role in DEMO_USERS:
        row = db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()
        ids[role] = row[0] if row else create_user(db, email=email, name=name, role=role, password=DEMO_PASSWORD)
    return ids


def add_synthetic_round(
    db: sqlite_utils.Database, title: str, *, respondents: int, seed: int, user_ids: dict[str, int],
    segments=None, invite_factor: float = 1.25, opens_on: dt.date | None = None,
) -> int:
    """A closed anonymous round with participants, synthetic responses and access granted.

    With `opens_on` the round gets a two-week period, a works-council record, and its answers
    arrive over those days the way real rounds fill up (most at once, bumps after reminders).
    """
    q = get_questionnaire("default")
    opens_at = dt.datetime.combine(opens_on, dt.time(7, 0), dt.UTC) if opens_on else None
    round_id = store.create_round(db, q, title, mode="anonymous", created_by=user_ids["hr"], opens_at=opens_at,
                                  closes_at=opens_at + dt.timedelta(days=14) if opens_at else None)
    if opens_on:
        db.execute("UPDATE rounds SET works_council_date = ?, works_council_ref = 'OR-DEMO-1' WHERE id = ?",
                   [(opens_on - dt.timedelta(days=21)).isoformat(), round_id])
    answers, _labels, contexts = generate_responses(q, respondents, segments=segments, seed=seed, missing_rate=0.02)
    invited = int(respondents * invite_factor)
    teams = sorted({c.get("team", "") for c in contexts.values()} - {""}) or ["Team"]
    with transaction(db):
        for i in range(invited):
            db.execute(
                "INSERT INTO participants (round_id, email, name, team, language, token_hash, responded) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [round_id, f"employee{i + 1:04d}@demo.example", f"Employee {i + 1}", teams[i % len(teams)],
                 "nl" if i % 4 else "en", hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
                 int(i < respondents)],
            )
        days = _arrival_days(len(answers)) if opens_on else [0] * len(answers)
        for rid, offset in zip(sorted(answers), days, strict=True):
            day = opens_on + dt.timedelta(days=offset) if opens_on else None
            store.insert_response(db, q, round_id, answers[rid], context=contexts.get(rid), source="demo", day=day)
        db.execute("UPDATE rounds SET status = 'closed' WHERE id = ?", [round_id])
        for role in ("change_manager", "trainer"):
            db.execute("INSERT INTO round_access (round_id, user_id) VALUES (?, ?)", [round_id, user_ids[role]])
    return round_id


# Share of a round's answers per day after opening: a first rush, bumps on reminder days 3 and 5.
ARRIVAL_SHARES = (0.32, 0.16, 0.08, 0.14, 0.05, 0.11, 0.04, 0.03, 0.02, 0.02, 0.01, 0.01, 0.005, 0.005)


def _arrival_days(n: int) -> list[int]:
    total = sum(ARRIVAL_SHARES)
    counts = [int(round(n * share / total)) for share in ARRIVAL_SHARES]
    counts[0] += n - sum(counts)
    return [day for day, count in enumerate(counts) for _ in range(count)]


def build_demo(db: sqlite_utils.Database, *, respondents: int = 240, briefs_dir: Path | None = None,
               bootstrap: int = 100, programme: bool = True) -> str:
    from toolkit.services.pipeline import briefs_for_round, derive_round

    user_ids = _ensure_users(db)
    round_id = add_synthetic_round(db, "Nieuwe manier van werken — nulmeting 2026", respondents=respondents,
                                   opens_on=dt.date(2026, 9, 7),
                                   seed=2026, user_ids=user_ids)
    set_id = derive_round(db, round_id, bootstrap=bootstrap, user_id=user_ids["hr"])
    persona_set = store.load_persona_set(db, set_id)
    lines = [f"Demo round {round_id}: {respondents} responses, {persona_set['k']} personas."]
    for p in persona_set["personas"]:
        stability = "not assessed" if p.get("stability") is None else f"{p['stability']:.2f}"
        lines.append(f"  {p['name']} ({p['size']} people, stability {stability}): {p['label']['en']}")
    if programme:
        from toolkit.services.programmes import add_demo_programme

        programme_id = add_demo_programme(db, user_ids, baseline_round_id=round_id, respondents=respondents,
                                          bootstrap=bootstrap)
        lines.append(f"Demo programme {programme_id}: the baseline and a follow-up round, compared.")
    if briefs_dir is not None:
        paths = briefs_for_round(db, round_id, briefs_dir)
        lines.append(f"{len(paths)} briefs written to {briefs_dir}")
    lines.append("")
    lines.append("Log in at the address `persona-toolkit serve` prints (http://127.0.0.1:5000 unless you chose "
                 "another port) with any of these accounts, password " + repr(DEMO_PASSWORD) + ":")
    lines += [f"  {role:<15} {email}" for email, _name, role in DEMO_USERS]
    return "\n".join(lines)
