"""Amounts as BIGINT minor units and UTC timestamps (STYLE §3), and the append-only trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError

from app.engine.money import currency_of
from app.persistence.models import ApiKeyRow
from app.persistence.types import from_minor, to_minor

CNY, JPY, KWD = currency_of("CNY"), currency_of("JPY"), currency_of("KWD")


def test_minor_units_convert_exactly_both_ways():
    assert to_minor(Decimal("2509.07"), CNY) == 250907
    assert to_minor(Decimal("880.8"), CNY) == 88080
    assert to_minor(Decimal("1500"), JPY) == 1500
    assert to_minor(Decimal("1.234"), KWD) == 1234
    assert str(from_minor(250907, CNY)) == "2509.07"
    assert str(from_minor(1234, KWD)) == "1.234"
    assert str(from_minor(1500, JPY)) == "1500"


def test_an_amount_finer_than_the_minor_unit_is_refused_not_rounded():
    with pytest.raises(ValueError, match="minor digits"):
        to_minor(Decimal("0.005"), CNY)
    with pytest.raises(ValueError, match="minor digits"):
        to_minor(Decimal("0.5"), JPY)


def test_minor_units_column_refuses_floats(database):
    from app.persistence.models import AgreementPaymentRow

    def insert_float_amount() -> None:
        with database.transaction() as session:
            session.add(
                AgreementPaymentRow(
                    agreement_pk=1, reference="x", payment_date=datetime.now(UTC).date(),
                    amount=880.81, recorded_by="k", recorded_at=datetime.now(UTC),
                )
            )  # fmt: skip
            session.flush()

    with pytest.raises(StatementError, match="MinorUnits takes an int"):
        insert_float_amount()


def test_timestamps_come_back_in_utc_to_the_microsecond(database):
    shanghai = timezone(timedelta(hours=8))
    moment = datetime(2026, 6, 21, 9, 30, 0, 123456, tzinfo=shanghai)
    with database.transaction() as session:
        session.add(ApiKeyRow(id="k_types_test_ts", tenant="t", secret_sha256="0" * 64,
                              created_at=moment))  # fmt: skip
    with database.transaction() as session:
        row = session.get(ApiKeyRow, "k_types_test_ts")
        assert row is not None
        assert row.created_at == moment
        assert row.created_at.tzinfo == UTC
        assert row.created_at.isoformat() == "2026-06-21T01:30:00.123456+00:00"
        session.delete(row)


def test_the_audit_trail_refuses_update_and_delete(database, db_client, auth):
    from tests.agreement_flow import create

    agreement = create(db_client, auth)

    def execute(statement: str) -> None:
        with database.transaction() as session:
            session.execute(text(statement))

    for statement in (
        "UPDATE agreement_event SET actor = 'someone else'",
        "DELETE FROM agreement_event",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            execute(statement)
    events = db_client.get(f"/v1/agreements/{agreement['id']}/events", headers=auth).json()
    assert [e["action"] for e in events["events"]] == ["created"]
