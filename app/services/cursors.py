"""Opaque page cursors (SPEC §7) that reveal nothing beyond the tenant's own rows.

A list cursor names the last agreement of the page by its public id (which the tenant just
saw); the service finds that agreement among the tenant's own and continues after it. An
events cursor is the number of the agreement's events already shown. Neither carries an
internal key, so a cursor says nothing about other tenants (no global count or position), and
one tenant's list cursor is a 422 for another tenant. Both are URL-safe base64 with a format
tag (`a2`, `e1`), so a later format can be told apart.
"""

from __future__ import annotations

import base64
import binascii

from app.services.errors import InvalidCursor

_LIST_TAG, _EVENTS_TAG = "a2", "e1"
# more events than any agreement will have; bounds the OFFSET a client can ask for
_MAX_POSITION = 10**9


def _encode(tag: str, value: str) -> str:
    return base64.urlsafe_b64encode(f"{tag}:{value}".encode()).decode().rstrip("=")


def _decode(tag: str, cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidCursor() from None
    found, _, value = text.partition(":")
    if found != tag or not value:
        raise InvalidCursor()
    return value


def list_cursor(last_agreement_id: str) -> str:
    return _encode(_LIST_TAG, last_agreement_id)


def agreement_after(cursor: str) -> str:
    """The agreement id a list cursor continues after (the caller checks it is the tenant's)."""
    return _decode(_LIST_TAG, cursor)


def events_cursor(shown: int) -> str:
    return _encode(_EVENTS_TAG, str(shown))


def events_shown(cursor: str) -> int:
    value = _decode(_EVENTS_TAG, cursor)
    if not value.isdigit() or len(value) > 10 or int(value) > _MAX_POSITION:
        raise InvalidCursor()
    return int(value)
