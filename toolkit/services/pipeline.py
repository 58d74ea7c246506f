"""The steps that join storage and the pure modules: derive personas, write briefs.

Commands, web views and the background worker all call these, so the product does one thing
one way whichever door it is asked through.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from toolkit.core.scoring import score_matrix
from toolkit.data.db import OWNER_ONLY_FILE, OWNER_ONLY_FOLDER
from toolkit.data.persona_checks import is_check_round
from toolkit.data.persona_sets import current_persona_set, save_persona_set
from toolkit.data.responses import (
    answers_by_response,
    contexts_by_response,
    participants_by_response,
)
from toolkit.data.rounds import get_round, participant_first_names, round_info, round_questionnaire
from toolkit.data.variables import participant_values, round_variables, values_by_response

MIN_QUOTE_GROUP = 10


def round_info_with_drift(db: sqlite_utils.Database, round_: dict, q, persona_set: dict | None) -> dict:
    """Round facts for the briefs, plus what changed since the previous round of its programme."""
    info = round_info(db, round_, q, persona_set)
    if round_.get("programme_id"):
        from toolkit.core.compare import drift_summary
        from toolkit.services.programmes import compare_programme

        for pair in compare_programme(db, round_["programme_id"])["comparisons"]:
            if pair["after"]["id"] == round_["id"]:
                info["drift"] = {lang: drift_summary(pair["comparison"], lang) for lang in ("nl", "en")}
                info["drift_since"] = pair["before"]["title"]
    return info


def derive_refusal(db: sqlite_utils.Database, round_: dict) -> str | None:
    """Why personas of this round may not be derived now, or None.

    A persona check (toolkit.services.persona_checks) rates the cards of another round's
    personas: it has no constructs to cluster on, so it never has personas of its own. An
    anonymous round that is open has answers waiting for publication at its close; personas
    derived now would move with every answer that comes in, so they wait for the close.
    """
    if is_check_round(db, round_["id"]):
        return (f"round {round_['id']} is a persona check: it rates the persona cards of another round "
                "and has no personas of its own")
    if round_["mode"] != "identified" and round_["status"] == "open":
        return (f"round {round_['id']} is anonymous and open: its personas are derived once the round has closed "
                "(its answers are published at the close)")
    return None


def derive_round(
    db: sqlite_utils.Database,
    round_id: int,
    *,
    k: int | None = None,
    seed: int = 0,
    bootstrap: int = 100,
    user_id: int | None = None,
    progress=None,
    review: bool = False,
) -> int:
    """Score, cluster, describe and store the personas of a round from its usable responses; return the set id.

    `k`, `seed`, `bootstrap` and `progress(fraction, message)` go to
    :func:`toolkit.core.personas.derive_personas` (which names the methods); the minimum persona
    size is the round's minimum group size, at least 5 people. The same answers give the same
    persona set whatever their import order, round or response ids. Outcome variables are
    profiled per persona (never clustered on); persona names are never a first name of one of
    the round's participants. A round that has personas keeps people's work on them: the new
    personas that continue earlier ones take over their names and narratives
    (toolkit.services.rederive). With ``review`` the new set waits, pending, until someone
    confirms what it changes (the web); without, it replaces the current set at once (the
    command line), recorded as derived by `user_id`. Raises NotFound for an unknown round, and
    ValueError when the round may not be derived now (:func:`derive_refusal`), has fewer usable
    responses than its minimum group, or an argument is out of range.
    """
    from toolkit.core.personas import derive_personas, describe_personas

    round_ = get_round(db, round_id)
    refusal = derive_refusal(db, round_)
    if refusal:
        raise ValueError(refusal)
    q = round_questionnaire(db, round_)
    answers = answers_by_response(db, round_id, q)
    if len(answers) < round_["min_group"]:
        raise ValueError(
            f"round {round_id} has {len(answers)} responses to derive from; at least {round_['min_group']} are needed "
            "before personas can be derived"
        )
    matrix = score_matrix(q, answers)
    persona_set = derive_personas(
        matrix, q, k=k, seed=seed, bootstrap=bootstrap,
        min_size=max(5, round_["min_group"]), progress=progress,
        avoid_names=participant_first_names(db, round_id),
    )
    variables = round_variables(db, round_id, q)
    persona_set = describe_personas(
        persona_set, q, answers, contexts_by_response(db, round_id),
        min_group=round_["min_group"], min_quote_group=max(MIN_QUOTE_GROUP, round_["min_group"]),
        variables=variables, values_by_response=round_values(db, round_, answers, variables),
    )
    from toolkit.services import rederive

    wait = review and current_persona_set(db, round_id) is not None
    set_id = save_persona_set(db, round_id, persona_set, user_id=user_id, pending=True)
    if not wait:
        rederive.confirm(db, round_id, set_id, user_id=user_id)
    return set_id


def round_values(db: sqlite_utils.Database, round_: dict, answers: dict, variables: list) -> dict:
    """response id -> variable id -> value for the responses in ``answers``: the values stored
    with each response, and in identified rounds the participant list's column of the same id
    where the response has none."""
    values = values_by_response(db, answers, variables)
    if round_["mode"] == "identified" and variables:
        linked = {rid: pid for rid, pid in participants_by_response(db, round_["id"]).items() if rid in answers}
        for rid, from_list in participant_values(db, round_["id"], linked, variables).items():
            values[rid] = {**from_list, **values.get(rid, {})}
    return values


def briefs_for_round(
    db: sqlite_utils.Database, round_id: int, out_dir: Path, langs=("nl", "en")
) -> list[Path]:
    """Write every brief of the round's current persona set into out_dir.

    The files are the owner's only (0600), and so is `out_dir` when this creates it (0700).
    All or nothing: the briefs are written into a hidden staging folder inside out_dir and moved
    into place (one atomic rename each) only when every one of them is complete. A crash, a
    full disk or a failing brief midway leaves the briefs that were there before untouched and
    never a half-written .docx under a real name.

    Returns the paths of the briefs written. Raises NotFound for an unknown round and ValueError
    when the round has no persona set yet or the folder cannot be written (full disk,
    permissions).
    """
    import os
    import shutil
    import tempfile

    from toolkit.briefs import write_round_briefs

    round_ = get_round(db, round_id)
    persona_set = current_persona_set(db, round_id)
    if persona_set is None:
        raise ValueError(f"round {round_id} has no personas yet: run 'persona-toolkit personas derive --round {round_id}'")
    q = round_questionnaire(db, round_)
    info = round_info_with_drift(db, round_, q, persona_set)
    if not out_dir.exists():
        out_dir.mkdir(parents=True, mode=OWNER_ONLY_FOLDER)
    staging = Path(tempfile.mkdtemp(prefix=".writing-briefs-", dir=out_dir))  # same volume: rename is atomic
    try:
        written = write_round_briefs(persona_set, info, q, staging, langs=tuple(langs))
        for path in written:  # on disk before the rename, so a power cut cannot leave empty files
            path.chmod(OWNER_ONLY_FILE)  # briefs describe the staff: the owner's only, whatever the umask
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        placed = []
        for path in written:
            os.replace(path, out_dir / path.name)
            placed.append(out_dir / path.name)
    except OSError as exc:  # full disk, file size limit, permissions: say so, keep what was there
        # The half-written .docx is an open zip inside the traceback; closing it fails the same
        # way and Python would print that as a traceback at exit. It is being deleted: close it now, quietly.
        import gc
        import sys

        hook, sys.unraisablehook = sys.unraisablehook, lambda _unraisable: None
        try:
            chained = exc
            while chained is not None:  # the zip's own close() error is chained to the write error
                chained.__traceback__ = None
                chained = chained.__context__
            gc.collect()
        finally:
            sys.unraisablehook = hook
        raise ValueError(f"could not write the briefs into {out_dir} ({exc.strerror or exc}); "
                         "the briefs that were there before are unchanged") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return placed


def brief_filename(round_: dict, persona: dict | None, kind: str, lang: str) -> str:
    """The download name of one brief, e.g. "round-3-communication-de-pionier-nl.docx".

    `kind` is "communication", "training" or "overview"; `persona` is None for the overview.
    The persona's name becomes ASCII letters and digits joined by hyphens, lower-case (its key
    when nothing of the name is left); `lang` is the language code.
    """
    import re

    stem = f"round-{round_['id']}-{kind}"
    if persona is not None:
        stem += "-" + (re.sub(r"[^A-Za-z0-9]+", "-", persona["name"]).strip("-").lower() or persona["key"])
    return f"{stem}-{lang}.docx"


def brief_bytes(db: sqlite_utils.Database, round_: dict, persona_set: dict, persona: dict | None,
                kind: str, lang: str) -> bytes:
    """One brief as .docx bytes, for downloads.

    `kind` is "overview" (then `persona` is ignored and may be None), "communication", or
    anything else for the training brief; `persona` is one of `persona_set`'s personas; `lang` is
    "nl" or "en". Only the overview reports drift since the programme's previous round.
    """
    import io

    from toolkit import briefs
    from toolkit.core.guidance import default_guidance as load_rules

    q = round_questionnaire(db, round_)
    # Only the overview reports drift; comparing the programme for every persona brief was wasted.
    info = (round_info_with_drift if kind == "overview" else round_info)(db, round_, q, persona_set)
    rules = load_rules()
    if kind == "overview":
        document = briefs.overview_brief(persona_set, info, q, lang, rules)
    elif kind == "communication":
        document = briefs.communication_brief(persona_set, persona, info, q, lang, rules)
    else:
        document = briefs.training_brief(persona_set, persona, info, q, lang, rules)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
