"""A prepared database for the security tests: built once per module, copied for each test.

Deriving personas takes seconds, so the authorization, privacy and XSS modules derive once and
hand every test its own copy of the file (SQLite's backup API, so the copy is consistent).
"""

from __future__ import annotations

import json

import pytest
from conftest import make_round_with_responses, make_users

PASSWORD = "correct-horse-1"


def build_world(db, q, *, teams=None, title_prefix="Round") -> dict:
    """Users of every role, two derived rounds (A granted to the change manager and trainer, B not),
    a queued job and one participant in each."""
    from toolkit.data.access import grant_round
    from toolkit.data.accounts import create_user
    from toolkit.data.persona_sets import current_persona_set
    from toolkit.jobs import runner as jobs
    from toolkit.services import programmes
    from toolkit.services.pipeline import derive_round

    users = make_users(db)
    spare = create_user(db, email="spare@test.example", name="Spare", role="trainer", password=PASSWORD)
    rounds = {}
    for name in ("granted", "other"):
        round_id, _answers, _labels = make_round_with_responses(db, q, n=40, title=f"{title_prefix} {name}")
        if teams:
            ids = [r for (r,) in db.execute("SELECT id FROM responses WHERE round_id = ? ORDER BY id", [round_id])]
            for rid, team in zip(ids, teams, strict=False):
                db.execute("UPDATE responses SET team = ? WHERE id = ?", [team, rid])
        derive_round(db, round_id, k=2, bootstrap=2)
        # two bootstrap resamples say little about stability: present both personas regardless
        db.execute("UPDATE personas SET presented = 1 WHERE set_id IN (SELECT id FROM persona_sets WHERE round_id = ?)",
                   [round_id])
        personas = current_persona_set(db, round_id)["personas"]
        job_id = jobs.create(db, "derive", round_id, {}, None)
        db.execute("INSERT INTO participants (round_id, email, name, team) VALUES (?, ?, 'P', 'T')",
                   [round_id, f"p-{name}@test.example"])
        participant_id = db.execute("SELECT max(id) FROM participants").fetchone()[0]
        programme_id = programmes.create_programme(db, f"Programme {name}")
        programmes.add_round(db, programme_id, round_id, "baseline")
        rounds[name] = {"round_id": round_id, "persona_id": personas[0]["id"], "job_id": job_id,
                        "participant_id": participant_id, "persona_ids": [p["id"] for p in personas],
                        "programme_id": programme_id,
                        "set_id": current_persona_set(db, round_id)["id"]}
    for role in ("change_manager", "trainer"):
        grant_round(db, rounds["granted"]["round_id"], users[role][0])
    grant_round(db, rounds["granted"]["round_id"], spare)
    return {"users": users, "rounds": rounds, "spare": spare}


def make_template(tmp_path_factory, name: str, **kwargs):
    from toolkit.core.questionnaire import get_questionnaire
    from toolkit.data.db import connect
    from toolkit.data.migrations import migrate

    path = tmp_path_factory.mktemp(name) / "toolkit.db"
    db = connect(path)
    migrate(db)
    return db, build_world(db, get_questionnaire("default"), **kwargs)


def copy_into(template_db, instance) -> None:
    from toolkit.data.db import connect

    instance.mkdir(parents=True, exist_ok=True)
    db = connect(instance / "toolkit.db")
    template_db.conn.backup(db.conn)
    db.conn.close()


@pytest.fixture
def world(world_template, instance):
    """A fresh copy of the module's world (its `world_template` fixture) in the test's instance."""
    template_db, built = world_template
    copy_into(template_db, instance)
    return built


@pytest.fixture
def database(world, instance):
    from toolkit.data.db import connect

    db = connect(instance / "toolkit.db")
    yield db
    db.conn.close()


def set_evidence(db, persona_id: int, *, size: int | None = None, **description) -> None:
    """Change what a stored persona says about itself (size, description parts) for a test."""
    evidence = json.loads(db.execute("SELECT evidence FROM personas WHERE id = ?", [persona_id]).fetchone()[0])
    evidence.setdefault("description", {}).update(description)
    db.execute("UPDATE personas SET evidence = ? WHERE id = ?", [json.dumps(evidence), persona_id])
    if size is not None:
        db.execute("UPDATE personas SET size = ? WHERE id = ?", [size, persona_id])
