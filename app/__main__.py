"""The service's command line (SPEC §8, §12): `python -m app keys create|list|revoke`.

    python -m app keys create --tenant T     the new key alone on the last line (shown once)
    python -m app keys list                  id, tenant, created, revoked; never a secret
    python -m app keys revoke KEY_ID         the key stops working at once
    python -m app idempotency purge          forget Idempotency-Keys older than 24 hours
    python -m app batch positions IN OUT --as-of D   every loan's position (app/batch/cli.py)
    python -m app batch sample OUT --loans N         a synthetic portfolio

Each command but `batch` first migrates the database (DATABASE_URL) to head, as `make run` does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from app.batch.cli import add_commands as add_batch_commands
from app.batch.cli import run_command as run_batch_command
from app.persistence.db import Database
from app.persistence.migrations import upgrade_to_head
from app.services import api_keys
from app.services.idempotency import purge_idempotency_keys
from app.settings import get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    keys = commands.add_parser("keys", help="tenant API keys").add_subparsers(
        dest="action", required=True
    )
    create = keys.add_parser("create", help="make a key for a tenant; prints it once")
    create.add_argument("--tenant", required=True, help="1-64 letters, digits, '_', '.', '-'")
    keys.add_parser("list", help="list keys (ids and tenants, never secrets)")
    revoke = keys.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    idempotency = commands.add_parser("idempotency", help="Idempotency-Key records")
    idempotency.add_subparsers(dest="action", required=True).add_parser(
        "purge", help="delete records older than 24 hours"
    )
    add_batch_commands(commands)
    return parser


def _keys(database: Database, args: argparse.Namespace, now: datetime) -> int:
    if args.action == "create":
        if not api_keys.TENANT_PATTERN.fullmatch(args.tenant):
            print("error: a tenant is 1-64 letters, digits, '_', '.' or '-'", file=sys.stderr)
            return 2
        with database.transaction() as session:
            info, key = api_keys.create_api_key(session, tenant=args.tenant, now=now)
        print(f"Created API key {info.key_id} for tenant {info.tenant}.")
        print("Store it now: only its hash is kept, it cannot be shown again.")
        print(key)
        return 0
    if args.action == "list":
        with database.transaction() as session:
            keys = api_keys.list_api_keys(session)
        print(f"{'KEY_ID':<20} {'TENANT':<24} {'CREATED_AT':<26} REVOKED_AT")
        for k in keys:
            revoked = k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "-"
            created = k.created_at.isoformat(timespec="seconds")
            print(f"{k.key_id:<20} {k.tenant:<24} {created:<26} {revoked}")
        return 0
    with database.transaction() as session:
        revoked_key = api_keys.revoke_api_key(session, key_id=args.key_id, now=now)
    if revoked_key is None:
        print(f"error: no API key {args.key_id!r}", file=sys.stderr)
        return 1
    print(f"Revoked API key {revoked_key.key_id} of tenant {revoked_key.tenant}.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "batch":  # no database: the portfolio comes and goes as Parquet
        return run_batch_command(args)
    url = get_settings().database_url
    upgrade_to_head(url)
    database = Database(url)
    now = datetime.now(UTC)
    try:
        if args.command == "keys":
            return _keys(database, args, now)
        with database.transaction() as session:
            purged = purge_idempotency_keys(session, now=now)
        print(f"Purged {purged} Idempotency-Key records older than 24 hours.")
        return 0
    finally:
        database.dispose()


if __name__ == "__main__":
    sys.exit(main())
