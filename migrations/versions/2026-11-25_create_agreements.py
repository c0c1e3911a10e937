"""Create the agreements store: API keys, agreements, installments, payments, events, idempotency.

Revision ID: 20261125_01
Revises:
Create Date: 2026-11-25

Amounts are BIGINT minor units; timestamps are UTC. The audit trail refuses UPDATE and DELETE
by trigger on both databases, so it is append-only whatever the application does.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_01"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_TIMESTAMP = sa.DateTime(timezone=True)
MINOR_UNITS = sa.BigInteger()

_POSTGRESQL_APPEND_ONLY = [
    """
    CREATE FUNCTION agreement_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'agreement_event is append-only';
    END
    $$
    """,
    """
    CREATE TRIGGER agreement_event_append_only BEFORE UPDATE OR DELETE ON agreement_event
    FOR EACH ROW EXECUTE FUNCTION agreement_event_append_only()
    """,
]
_SQLITE_APPEND_ONLY = [
    f"""
    CREATE TRIGGER agreement_event_no_{verb.lower()} BEFORE {verb} ON agreement_event
    BEGIN SELECT RAISE(ABORT, 'agreement_event is append-only'); END
    """
    for verb in ("UPDATE", "DELETE")
]


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("revoked_at", UTC_TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
    )
    op.create_index(op.f("ix_api_key_tenant"), "api_key", ["tenant"])

    op.create_table(
        "agreement",
        sa.Column("pk", SERIAL, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("loan_ref", sa.String(128), nullable=False),
        sa.Column("borrower_ref", sa.String(128), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("option_id", sa.String(64), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("breach_after_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("accepted_channel", sa.String(16), nullable=True),
        sa.Column("accepted_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("updated_at", UTC_TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "status IN ('proposed', 'accepted', 'active', 'completed', 'breached', 'cancelled')",
            name=op.f("ck_agreement_status"),
        ),
        sa.CheckConstraint(
            "breach_after_days BETWEEN 1 AND 3650", name=op.f("ck_agreement_breach_after_days")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_agreement_version")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_agreement")),
        sa.UniqueConstraint("id", name=op.f("uq_agreement_id")),
    )
    for column in ("pk", "loan_ref", "borrower_ref", "status"):
        op.create_index(f"ix_agreement_tenant_{column}", "agreement", ["tenant", column])

    op.create_table(
        "agreement_installment",
        sa.Column("pk", SERIAL, autoincrement=True, nullable=False),
        sa.Column("agreement_pk", SERIAL, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("principal", MINOR_UNITS, nullable=False),
        sa.Column("interest", MINOR_UNITS, nullable=False),
        sa.Column("fee", MINOR_UNITS, nullable=False),
        sa.Column("paid", MINOR_UNITS, nullable=False),
        sa.CheckConstraint(
            "paid >= 0 AND paid <= principal + interest + fee",
            name=op.f("ck_agreement_installment_paid"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_pk"],
            ["agreement.pk"],
            name=op.f("fk_agreement_installment_agreement_pk_agreement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_agreement_installment")),
        sa.UniqueConstraint(
            "agreement_pk", "number", name=op.f("uq_agreement_installment_agreement_pk_number")
        ),
    )

    op.create_table(
        "agreement_payment",
        sa.Column("pk", SERIAL, autoincrement=True, nullable=False),
        sa.Column("agreement_pk", SERIAL, nullable=False),
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("amount", MINOR_UNITS, nullable=False),
        sa.Column("recorded_by", sa.String(32), nullable=False),
        sa.Column("recorded_at", UTC_TIMESTAMP, nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_agreement_payment_amount")),
        sa.ForeignKeyConstraint(
            ["agreement_pk"],
            ["agreement.pk"],
            name=op.f("fk_agreement_payment_agreement_pk_agreement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_agreement_payment")),
        sa.UniqueConstraint(
            "agreement_pk", "reference", name=op.f("uq_agreement_payment_agreement_pk_reference")
        ),
    )

    op.create_table(
        "agreement_event",
        sa.Column("pk", SERIAL, autoincrement=True, nullable=False),
        sa.Column("agreement_pk", SERIAL, nullable=False),
        sa.Column("at", UTC_TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "action IN ('created', 'accepted', 'activated', 'cancelled', 'payment_recorded', "
            "'completed', 'breached')",
            name=op.f("ck_agreement_event_action"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_pk"],
            ["agreement.pk"],
            name=op.f("fk_agreement_event_agreement_pk_agreement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_agreement_event")),
    )
    op.create_index("ix_agreement_event_agreement_pk_pk", "agreement_event", ["agreement_pk", "pk"])
    dialect = op.get_bind().dialect.name
    for statement in {"postgresql": _POSTGRESQL_APPEND_ONLY, "sqlite": _SQLITE_APPEND_ONLY}.get(
        dialect, []
    ):
        op.execute(statement)

    op.create_table(
        "idempotency_key",
        sa.Column("pk", SERIAL, autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_headers", sa.Text(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint("tenant", "key", name=op.f("uq_idempotency_key_tenant_key")),
    )
    op.create_index(op.f("ix_idempotency_key_created_at"), "idempotency_key", ["created_at"])


def downgrade() -> None:
    op.drop_table("idempotency_key")
    op.drop_table("agreement_event")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION agreement_event_append_only()")
    op.drop_table("agreement_payment")
    op.drop_table("agreement_installment")
    op.drop_table("agreement")
    op.drop_table("api_key")
