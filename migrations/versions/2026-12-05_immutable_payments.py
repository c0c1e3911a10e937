"""Immutable payments: reversals as their own entries, UPDATE and DELETE refused by trigger.

Revision ID: 20261205_01
Revises: 20261125_01
Create Date: 2026-12-05

SPEC §7: recorded payments are never updated or deleted in place; a bounced payment is undone
by a reversal entry. Both tables refuse UPDATE and DELETE on both databases, as the audit trail
does, and the audit trail learns the `payment_reversed` action.

Downgrade drops the reversals (their events stay: the audit trail is append-only) and restores
the old list of actions, which fails while a `payment_reversed` event exists: an audit trail is
never rewritten to make a downgrade pass.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261205_01"
down_revision: str | None = "20261125_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INSERT_ONLY = ("agreement_payment", "agreement_payment_reversal")
_ACTIONS = ("created", "accepted", "activated", "cancelled", "payment_recorded", "completed",
            "breached")  # fmt: skip


def _actions_check(actions: Sequence[str]) -> str:
    return f"action IN ({', '.join(repr(a) for a in actions)})"


def _refuse_changes(table: str) -> list[str]:
    """Statements that make `table` insert-only on this database."""
    if op.get_bind().dialect.name == "postgresql":
        return [
            f"""
            CREATE FUNCTION {table}_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{table} is insert-only';
            END
            $$
            """,
            f"""
            CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_insert_only()
            """,
        ]
    return [
        f"""
        CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is insert-only'); END
        """
        for verb in ("UPDATE", "DELETE")
    ]


def _sqlite_event_triggers() -> list[str]:
    # the first revision's triggers, made again after SQLite rebuilt the table
    return [
        f"""
        CREATE TRIGGER agreement_event_no_{verb.lower()} BEFORE {verb} ON agreement_event
        BEGIN SELECT RAISE(ABORT, 'agreement_event is append-only'); END
        """
        for verb in ("UPDATE", "DELETE")
    ]


def _replace_actions_check(actions: Sequence[str]) -> None:
    # SQLite cannot alter a CHECK: batch mode rebuilds the table, dropping its triggers
    with op.batch_alter_table("agreement_event") as batch:
        batch.drop_constraint(op.f("ck_agreement_event_action"), type_="check")
        batch.create_check_constraint(op.f("ck_agreement_event_action"), _actions_check(actions))
    if op.get_bind().dialect.name == "sqlite":
        for statement in _sqlite_event_triggers():
            op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "agreement_payment_reversal",
        sa.Column("pk", SERIAL, autoincrement=True, nullable=False),
        sa.Column("agreement_pk", SERIAL, nullable=False),
        sa.Column("payment_pk", SERIAL, nullable=False),
        sa.Column("reversal_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("recorded_by", sa.String(32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_pk"],
            ["agreement.pk"],
            name=op.f("fk_agreement_payment_reversal_agreement_pk_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payment_pk"],
            ["agreement_payment.pk"],
            name=op.f("fk_agreement_payment_reversal_payment_pk_agreement_payment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_agreement_payment_reversal")),
        sa.UniqueConstraint("payment_pk", name=op.f("uq_agreement_payment_reversal_payment_pk")),
    )
    for table in INSERT_ONLY:
        for statement in _refuse_changes(table):
            op.execute(statement)
    _replace_actions_check([*_ACTIONS, "payment_reversed"])


def downgrade() -> None:
    _replace_actions_check(_ACTIONS)
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in reversed(INSERT_ONLY):
        if postgresql:
            op.execute(f"DROP TRIGGER {table}_insert_only ON {table}")
            op.execute(f"DROP FUNCTION {table}_insert_only()")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER {table}_no_{verb}")
    op.drop_table("agreement_payment_reversal")
