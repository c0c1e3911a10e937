"""SQLAlchemy 2 models of the agreements store (SPEC §7–8); Alembic makes the schema.

Tables are singular snake_case; constraint names come from the naming convention so that
migrations can address them on every database. Amounts are MinorUnits (BIGINT minor units).

    api_key              a tenant's key: public id, SHA-256 of the secret, revoked_at
    agreement            one negotiated agreement (协商还款协议) and its optimistic `version`
    agreement_installment   its plan rows and what has been allocated to each (`paid`)
    agreement_payment    payments by client `reference` (unique per agreement); insert-only
    agreement_payment_reversal   a bounced or returned payment, undone; insert-only
    agreement_event      the append-only audit trail
    idempotency_key      the first response to a POST /v1/agreements per tenant and key
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.agreement_states import AgreementStatus, EventAction
from app.persistence.types import MinorUnits, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AGREEMENT_STATUSES = tuple(AgreementStatus)
EVENT_ACTIONS = tuple(EventAction)
# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity
SerialKey = BigInteger().with_variant(Integer(), "sqlite")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ApiKeyRow(Base):
    """A tenant's API key; only the SHA-256 of its secret is kept (SPEC §8)."""

    __tablename__ = "api_key"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AgreementRow(Base):
    """`pk` orders the list (newest first); `id` is the public UUID; `version` guards writes."""

    __tablename__ = "agreement"
    __table_args__ = (
        CheckConstraint(_one_of("status", AGREEMENT_STATUSES), name="status"),
        CheckConstraint("breach_after_days BETWEEN 1 AND 3650", name="breach_after_days"),
        CheckConstraint("version >= 1", name="version"),
        Index("ix_agreement_tenant_pk", "tenant", "pk"),
        Index("ix_agreement_tenant_loan_ref", "tenant", "loan_ref"),
        Index("ix_agreement_tenant_borrower_ref", "tenant", "borrower_ref"),
        Index("ix_agreement_tenant_status", "tenant", "status"),
    )

    pk: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    tenant: Mapped[str] = mapped_column(String(64))
    loan_ref: Mapped[str] = mapped_column(String(128))
    borrower_ref: Mapped[str] = mapped_column(String(128))
    currency: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(32))
    option_id: Mapped[str] = mapped_column(String(64))
    terms: Mapped[str] = mapped_column(Text)  # the options request, as JSON text
    breach_after_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    accepted_channel: Mapped[str | None] = mapped_column(String(16))
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    # every UPDATE says WHERE version = <the version read> and bumps it (optimistic concurrency)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    installments: Mapped[list[AgreementInstallmentRow]] = relationship(
        order_by="AgreementInstallmentRow.number", lazy="selectin"
    )


class AgreementInstallmentRow(Base):
    __tablename__ = "agreement_installment"
    __table_args__ = (
        UniqueConstraint("agreement_pk", "number"),
        CheckConstraint("paid >= 0 AND paid <= principal + interest + fee", name="paid"),
    )

    pk: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    agreement_pk: Mapped[int] = mapped_column(ForeignKey("agreement.pk", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    principal: Mapped[int] = mapped_column(MinorUnits)
    interest: Mapped[int] = mapped_column(MinorUnits)
    fee: Mapped[int] = mapped_column(MinorUnits)
    paid: Mapped[int] = mapped_column(MinorUnits)

    @property
    def amount_due(self) -> int:
        return self.principal + self.interest + self.fee


class AgreementPaymentRow(Base):
    """Money received; never updated or deleted (triggers), a bounced one is reversed."""

    __tablename__ = "agreement_payment"
    __table_args__ = (
        UniqueConstraint("agreement_pk", "reference"),
        CheckConstraint("amount > 0", name="amount"),
    )

    pk: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    agreement_pk: Mapped[int] = mapped_column(ForeignKey("agreement.pk", ondelete="CASCADE"))
    reference: Mapped[str] = mapped_column(String(128))
    payment_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(MinorUnits)
    recorded_by: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AgreementPaymentReversalRow(Base):
    """A payment undone (returned, bounced) on `reversal_date`; at most one per payment."""

    __tablename__ = "agreement_payment_reversal"
    __table_args__ = (UniqueConstraint("payment_pk"),)

    pk: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    agreement_pk: Mapped[int] = mapped_column(ForeignKey("agreement.pk", ondelete="CASCADE"))
    payment_pk: Mapped[int] = mapped_column(ForeignKey("agreement_payment.pk", ondelete="CASCADE"))
    reversal_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AgreementEventRow(Base):
    """One line of the audit trail; rows are only ever inserted (triggers refuse the rest)."""

    __tablename__ = "agreement_event"
    __table_args__ = (
        CheckConstraint(_one_of("action", EVENT_ACTIONS), name="action"),
        Index("ix_agreement_event_agreement_pk_pk", "agreement_pk", "pk"),
    )

    pk: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    agreement_pk: Mapped[int] = mapped_column(ForeignKey("agreement.pk", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    details: Mapped[str] = mapped_column(Text)  # JSON object


class IdempotencyKeyRow(Base):
    """The first successful response to a POST with this tenant's `Idempotency-Key`."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("tenant", "key"),)

    pk: Mapped[int] = mapped_column(SerialKey, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_sha256: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[str | None] = mapped_column(Text)  # JSON object
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
