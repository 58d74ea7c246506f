"""Personal-link tokens: derived, never stored; only their SHA-256 is kept.

A personal link carries a token that is re-derived when needed from the app's SECRET_KEY and a
random salt per participant, so the invitation and every reminder carry the same link; the
database keeps only sha256(token), which is how a link is recognised. Rotating SECRET_KEY
therefore invalidates every link that was sent.

Completing an anonymous round stores a marker derived from the token (:func:`done_marker`), never
anything about the participant, so the stored response cannot be tied to whoever finished it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping


def new_salt() -> str:
    """A fresh random salt for one participant (16 random bytes, URL-safe text)."""
    return secrets.token_urlsafe(16)


def participant_token(secret_key: str, participant: Mapping) -> str:
    """The participant's link token: base64url(HMAC-SHA256(key, "round:id:salt")), 43 characters.

    ``participant`` needs ``round_id``, ``id`` and ``token_salt``; raises KeyError otherwise.
    """
    message = f"{participant['round_id']}:{participant['id']}:{participant['token_salt']}".encode()
    digest = hmac.new(str(secret_key).encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256 as 64 hex characters."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def draft_key(token: str) -> str:
    """Key of the respondent's saved progress: derived from the link, not from the participant."""
    return hashlib.sha256(f"draft:{token}".encode()).hexdigest()


def done_marker(token: str) -> str:
    """What is stored when the link of an anonymous round completes a response: sha256("done:" + token)
    as 64 hex characters.

    It names no participant: going from a participant to their marker needs their token, which
    only SECRET_KEY can derive (the scheduler does, to remind only those without a marker).
    """
    return hashlib.sha256(f"done:{token}".encode()).hexdigest()


def personal_link(base_url: str, token: str) -> str:
    """The respondent's address: ``BASE/s/TOKEN``."""
    return f"{base_url.rstrip('/')}/s/{token}"
