"""The organisation's own instruments: add a checked copy to the instance, list what there is.

A questionnaire file is checked in full before anything is stored; only a valid file is copied,
byte for byte, to INSTANCE/questionnaires/<id>.toml, where ``round create`` and the new-round
page find it. Rounds keep the exact text they were created with (see
:func:`toolkit.data.rounds.store_questionnaire_version`), so replacing a file later never
changes an existing round.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from toolkit.core.questionnaire import (
    INSTANCE_FOLDER,
    QUESTIONNAIRE_DIR,
    Questionnaire,
    QuestionnaireError,
    library,
    list_questionnaires,
    load_questionnaire,
    parse_questionnaire,
)

MAX_QUESTIONNAIRE_BYTES = 1024 * 1024


def add_questionnaire(
    instance: str | Path, data: bytes, filename: str, *, replace: bool = False
) -> tuple[Questionnaire, bool]:
    """Check ``data`` (a questionnaire file's bytes) and store it in the instance; (q, replaced).

    ``filename`` only names the file in messages. The copy is INSTANCE/questionnaires/<id>.toml,
    written whole or not at all (owner-only). ``replace`` allows overwriting an earlier own file
    with the same id (an identical file is simply kept). Returns the stored instrument (its
    ``path`` is the copy) and whether an earlier, different file was replaced.

    Raises QuestionnaireError listing every problem of the file, or naming why it cannot be
    added: larger than 1 MB, the id of one of the product's instruments, or the id of an own
    file added before (without ``replace``).
    """
    name = Path(filename).name or "upload.toml"
    if len(data) > MAX_QUESTIONNAIRE_BYTES:
        raise QuestionnaireError(name, [f"the file is larger than {MAX_QUESTIONNAIRE_BYTES // 1024} KB"])
    q = parse_questionnaire(data, name)
    product = {e.id: e.path for e in list_questionnaires(QUESTIONNAIRE_DIR)}
    if q.id in product:
        raise QuestionnaireError(name, [
            f"id '{q.id}' is the product's own questionnaire ({product[q.id].name}); give yours another id"
        ])
    folder = Path(instance) / INSTANCE_FOLDER
    target = folder / f"{q.id}.toml"
    earlier = _own_file_with_id(instance, q.id) or (target if target.exists() else None)
    replaced = False
    if earlier is not None:
        if earlier.read_bytes() == data:
            return load_questionnaire(earlier), False
        if not replace:
            raise QuestionnaireError(name, [
                f"a questionnaire with id '{q.id}' was added before ({earlier.name}); replace it "
                "(rounds created with it keep their own copy) or give this one another id"
            ])
        replaced = True
        if earlier != target:
            earlier.unlink()
    _write_whole(folder, target, data)
    return load_questionnaire(target), replaced


def _own_file_with_id(instance: str | Path, qid: str) -> Path | None:
    own = [e for e in list_questionnaires(*library(instance)) if e.own and e.id == qid]
    return own[0].path if own else None


def _write_whole(folder: Path, target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file and a rename: whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(prefix=".adding-", suffix=".toml", dir=folder)
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
