"""What each kind of job does, run in the job's own child process (toolkit.jobs.runner).

Every work function takes (db, job row, params dict, progress) and returns the result dict
stored with the job; ``progress(fraction 0..1, message)`` shows on the progress page. A
ValueError's words are shown to the person who started the job; any other error only by kind.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from toolkit.core.messages import N_, Message, MessageError
from toolkit.core.privacy import presentable_personas
from toolkit.data.persona_sets import current_persona_set, load_persona_set
from toolkit.data.rounds import get_round


def derive(db: sqlite_utils.Database, job: dict, params: dict, progress: Callable) -> dict:
    """Derive the round's personas. params: k (int or None), seed (int), bootstrap (resamples),
    review (bool: a round with personas keeps them until someone confirms the new set).
    Result: {"set_id": the new set, "pending": True when it waits for confirmation}."""
    from toolkit.services.pipeline import derive_round

    set_id = derive_round(db, job["round_id"], k=params.get("k"), seed=params.get("seed", 0),
                          bootstrap=params.get("bootstrap", 100), user_id=job["created_by"], progress=progress,
                          review=bool(params.get("review")))
    return {"set_id": set_id, "pending": load_persona_set(db, set_id)["pending"]}


def zip_path(folder: str | Path, job_id: int) -> Path:
    """Where the zip of job ``job_id`` is written in ``folder`` (the instance's zips/ folder)."""
    return Path(folder) / f"job-{job_id}.zip"


def briefs_zip(db: sqlite_utils.Database, job: dict, params: dict, progress: Callable) -> dict:
    """Every allowed brief of the round's current personas in one zip.

    params: folder (where the zip goes), lang (nl|en), overview (bool: include the overview),
    kinds (brief kinds the requesting person may download). Written to a .part file first and
    renamed, so a half-written zip is never offered. Result: {"file": name, "count": briefs}.
    """
    from toolkit.services.pipeline import brief_bytes, brief_filename

    round_ = get_round(db, job["round_id"])
    persona_set = current_persona_set(db, job["round_id"])
    if persona_set is None:
        raise MessageError(N_("This round has no personas yet."))
    todo = [(None, "overview")] if params["overview"] else []
    todo += [(p, kind) for p in presentable_personas(persona_set, round_["min_group"]) for kind in params["kinds"]]
    out = zip_path(params["folder"], job["id"])
    partial = out.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, (persona, kind) in enumerate(todo, start=1):
            archive.writestr(brief_filename(round_, persona, kind, params["lang"]),
                             brief_bytes(db, round_, persona_set, persona, kind, params["lang"]))
            progress(done / len(todo), Message(N_("%(done)d of %(total)d briefs written"),
                                               {"done": done, "total": len(todo)}))
    partial.replace(out)
    return {"file": out.name, "count": len(todo)}


WORK: dict[str, Callable] = {"derive": derive, "briefs_zip": briefs_zip}
