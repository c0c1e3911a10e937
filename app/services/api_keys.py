"""Tenant API keys (SPEC §8): made and revoked by `python -m app keys`, checked on every request.

A key reads `KEY_ID.SECRET`: the id is public (logs, the audit trail's `actor`); the secret is
32 random bytes in URL-safe base64 and only its SHA-256 is stored. SHA-256 without a salt is
enough for a secret with 256 bits of entropy: there is nothing to guess or to look up.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.persistence import repositories
from app.persistence.models import ApiKeyRow
from app.services.errors import InvalidApiKey

SECRET_BYTES = 32
TENANT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_KEY_PATTERN = re.compile(r"^(k_[0-9a-f]{16})\.([A-Za-z0-9_-]{43,128})$")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key id (the audit actor) and the tenant whose data it may see."""

    key_id: str
    tenant: str


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    key_id: str
    tenant: str
    created_at: datetime
    revoked_at: datetime | None


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def _info(row: ApiKeyRow) -> ApiKeyInfo:
    return ApiKeyInfo(row.id, row.tenant, row.created_at, row.revoked_at)


def create_api_key(session: Session, *, tenant: str, now: datetime) -> tuple[ApiKeyInfo, str]:
    """A new key for `tenant`; the plaintext `KEY_ID.SECRET` is returned once, never stored."""
    if not TENANT_PATTERN.fullmatch(tenant):
        raise ValueError("a tenant is 1-64 letters, digits, '_', '.' or '-'")
    key_id = f"k_{secrets.token_hex(8)}"
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row = ApiKeyRow(id=key_id, tenant=tenant, secret_sha256=_sha256(secret), created_at=now)
    repositories.add_api_key(session, row)
    return _info(row), f"{key_id}.{secret}"


def list_api_keys(session: Session) -> list[ApiKeyInfo]:
    return [_info(row) for row in repositories.list_api_keys(session)]


def revoke_api_key(session: Session, *, key_id: str, now: datetime) -> ApiKeyInfo | None:
    """Revoke a key (idempotent); None when there is no such key."""
    row = repositories.find_api_key(session, key_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return _info(row)


def authenticate(session: Session, *, token: str | None) -> Principal:
    """The principal of a bearer token, or InvalidApiKey when missing, unknown or revoked."""
    if not token:
        raise InvalidApiKey("send Authorization: Bearer <api key>")
    match = _KEY_PATTERN.fullmatch(token)
    row = repositories.find_api_key(session, match.group(1)) if match else None
    # compare digests in constant time; an unknown id still costs one hash
    digest = _sha256(match.group(2) if match else token[:128])
    if (
        row is None
        or not hmac.compare_digest(digest, row.secret_sha256)
        or row.revoked_at is not None
    ):
        raise InvalidApiKey("the API key is unknown or revoked")
    return Principal(key_id=row.id, tenant=row.tenant)
