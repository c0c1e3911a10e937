"""Readiness (SPEC §9): the database answers and its schema is at the migrations' head."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from app.persistence.db import Database
from app.persistence.migrations import current_revisions, head_revisions


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    detail: str
    revision: str | None = None


def check_readiness(*, database: Database) -> Readiness:
    try:
        current = current_revisions(database.engine)
    except SQLAlchemyError as exc:
        return Readiness(False, f"database unreachable ({type(exc).__name__})")
    head = head_revisions()
    if current != head:
        found = ", ".join(sorted(current)) or "none"
        return Readiness(False, f"database at revision {found}, head is {', '.join(sorted(head))}")
    return Readiness(True, "ready", ", ".join(sorted(head)))
