"""Words that core, services and jobs hand to a person, kept as catalogue keys until shown.

Core has no reader and no language. What it reports while it works (a job's progress) or why
it refuses (a ValueError a person caused) is a :class:`Message`: an English msgid marked with
:func:`N_` for the catalogue, and its parameters. The screen that shows it translates it in the
reader's language (``toolkit.web.jobs``); ``str(message)`` is the English text for logs and the
command line. Stored (a job's progress, a round's scheduler note) it is JSON, see
:meth:`Message.to_json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field


def N_(message: str) -> str:
    """Mark ``message`` for the translation catalogue without translating it here (gettext's N_)."""
    return message


@dataclass(frozen=True)
class Message:
    """An English msgid and the values of its ``%(name)s`` placeholders (numbers or short text)."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        """The English text: the msgid with its placeholders filled in."""
        return self.msgid % dict(self.params) if self.params else self.msgid

    def to_json(self) -> str:
        """``{"msgid": ..., "params": {...}}`` as a string, for a database column."""
        return json.dumps({"msgid": self.msgid, "params": dict(self.params)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> Message | None:
        """The message stored by :meth:`to_json`, or None for anything else (plain older text)."""
        if not text or not text.startswith("{"):
            return None
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("msgid"), str):
            return None
        return cls(data["msgid"], data.get("params") or {})


def stored(message: Message | str) -> str:
    """What a database column keeps of ``message``: the JSON of a Message, a plain text as it is."""
    return message.to_json() if isinstance(message, Message) else str(message)


class MessageError(ValueError):
    """A refusal a person caused and can act on; ``message`` is shown translated, ``str()`` in English."""

    def __init__(self, msgid: str, **params: object):
        """``msgid``: the English text marked with N_; ``params``: its placeholder values."""
        self.message = Message(msgid, params)
        super().__init__(str(self.message))
