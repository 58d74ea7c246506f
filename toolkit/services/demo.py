"""Demo data: accounts for each role, a round of synthetic answers, personas and briefs.

The answers come from toolkit.core.synthetic with known segments, so what the demo shows is what
the method finds in data whose truth we know.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import replace
from pathlib import Path

import sqlite_utils

from toolkit.core.personas.stability import stability_text
from toolkit.core.questionnaire import get_questionnaire
from toolkit.core.synthetic import SEGMENT_SHAPES, Segment, generate_responses
from toolkit.data.accounts import create_user
from toolkit.data.db import transaction
from toolkit.data.persona_sets import load_persona_set
from toolkit.data.responses import insert_response
from toolkit.data.rounds import create_round, save_change_facts
from toolkit.services import programmes
from toolkit.services.pipeline import briefs_for_round, derive_round

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
    round_id = create_round(db, q, title, mode="anonymous", created_by=user_ids["hr"], opens_at=opens_at,
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
                # An anonymous round keeps no response status per person (issue 16).
                "INSERT INTO participants (round_id, email, name, team, language, token_hash) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [round_id, f"employee{i + 1:04d}@demo.example", f"Employee {i + 1}", teams[i % len(teams)],
                 "nl" if i % 4 else "en", hashlib.sha256(secrets.token_bytes(32)).hexdigest()],
            )
        days = _arrival_days(len(answers)) if opens_on else [0] * len(answers)
        for rid, offset in zip(sorted(answers), days, strict=True):
            day = opens_on + dt.timedelta(days=offset) if opens_on else None
            insert_response(db, q, round_id, answers[rid], context=contexts.get(rid), source="demo", day=day)
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


# What HR entered for the demo round (in the round's language): the briefs' key messages use it.
DEMO_CHANGE_FACTS = {
    "what": "We gaan anders samenwerken: vaste teams per klantgroep en één gedeelde planning.",
    "why": "Zo weet een klant wie hem helpt, en hoeft niemand meer werk over te doen dat een ander al deed.",
    "when": "De nieuwe teams starten op 1 februari 2027; de trainingen zijn in januari.",
    "unchanged": "Je contract, je werkplek en je leidinggevende blijven hetzelfde.",
}


def build_demo(db: sqlite_utils.Database, *, respondents: int = 240, briefs_dir: Path | None = None,
               bootstrap: int = 100, programme: bool = True) -> str:
    """Demo accounts, a baseline round of synthetic answers with personas, a programme with a
    follow-up round, and (with ``briefs_dir``) the round's briefs; returns a printable summary."""
    user_ids = _ensure_users(db)
    round_id = add_synthetic_round(db, "Nieuwe manier van werken — nulmeting 2026", respondents=respondents,
                                   opens_on=dt.date(2026, 9, 7),
                                   seed=2026, user_ids=user_ids)
    save_change_facts(db, round_id, DEMO_CHANGE_FACTS, user_id=user_ids["hr"])
    set_id = derive_round(db, round_id, bootstrap=bootstrap, user_id=user_ids["hr"])
    persona_set = load_persona_set(db, set_id)
    lines = [f"Demo round {round_id}: {respondents} responses, {persona_set['k']} personas."]
    for p in persona_set["personas"]:
        lines.append(f"  {p['name']} ({p['size']} people, stability {stability_text(p.get('stability'))}): "
                     f"{p['label']['en']}")
    if programme:
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


def demo_follow_up_segments():
    """The demo's follow-up: innovators grow, rule followers shrink, a new group appears.

    The baseline (synthetic.default_segments) has innovators 40 %, anxious rule followers 27 %,
    practical sceptics 21 % and disengaged 12 %.
    """
    overloaded = Segment(
        key="overloaded_supporter",
        share=0.10,
        means={
            "intrinsic": 4.2, "identified": 4.4, "introjected": 3.8, "external_social": 2.4,
            "external_material": 2.2, "amotivation": 1.5, "appropriateness": 4.4,
            "management_support": 1.9, "change_efficacy": 2.6, "personal_valence": 3.9,
            "affective_commitment": 4.5, "awareness": 4.4, "desire": 4.3, "knowledge": 2.4,
            "ability": 2.5, "reinforcement": 1.8, "comm_detail": 3.5, "comm_involvement": 4.2,
            "learn_digital": 3.6,
        },
        preferences={"comm_channels": ("team_meeting", "chat"), "comm_messenger": ("colleague",),
                     "learn_format": ("coaching", "on_the_job"), "learn_time": ("under_1h",)},
        texts={
            "open_situation": (
                "When the old and the new system both run, I want time to learn one properly so that I stop "
                "doing everything twice.",
                "Als de drukte piekt en ik ook moet oefenen, wil ik dat iemand het werk overneemt zodat ik kan leren.",
            ),
            "open_worry": ("That we burn out before it is finished.", "Dat het naast al het andere moet."),
        },
        teams=("Customer Service", "Operations"),
    )
    shares = {"energised_innovator": 0.50, "anxious_rule_follower": 0.09, "practical_sceptic": 0.20,
              "disengaged": 0.11}
    return [replace(SEGMENT_SHAPES[k], share=v) for k, v in shares.items()] + [overloaded]


def add_demo_programme(db: sqlite_utils.Database, user_ids: dict[str, int], *, baseline_round_id: int | None = None,
                       respondents: int = 240, bootstrap: int = 100) -> int:
    """A programme with the demo's baseline round and a synthetic follow-up, personas derived."""
    if baseline_round_id is None:
        row = db.execute("SELECT r.id FROM rounds r JOIN persona_sets s ON s.round_id = r.id AND s.current = 1 "
                         "WHERE r.programme_id IS NULL ORDER BY r.id LIMIT 1").fetchone()
        if row is None:
            raise programmes.ProgrammeError("the demo programme needs a baseline round with personas; build the demo round first")
        baseline_round_id = row[0]
    programme_id = programmes.create_programme(
        db, "Nieuwe manier van werken", "Nulmeting en vervolgmeting van dezelfde verandering (demo).",
        user_id=user_ids.get("hr"))
    programmes.add_round(db, programme_id, baseline_round_id, "baseline", user_id=user_ids.get("hr"))
    round_id = add_synthetic_round(db, "Nieuwe manier van werken — vervolgmeting 2027", respondents=respondents,
                                   seed=2027, user_ids=user_ids, segments=demo_follow_up_segments(),
                                   opens_on=dt.date(2027, 9, 6))
    derive_round(db, round_id, bootstrap=bootstrap, user_id=user_ids.get("hr"))
    programmes.add_round(db, programme_id, round_id, "follow-up", user_id=user_ids.get("hr"))
    return programme_id
