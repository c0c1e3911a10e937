"""Column types: amounts as BIGINT minor units, timestamps always in UTC (STYLE §3).

SQLite, the default database, has no exact decimal, so an amount is stored as the integer
number of its currency's minor units (CNY 2509.07 → 250907). `to_minor` / `from_minor` are the
only conversions; they refuse anything that is not exact in the currency.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect
from sqlalchemy.types import TypeDecorator

from app.engine.money import Currency


class MinorUnits(TypeDecorator[int]):
    """An amount in minor units (BIGINT); binding a float or a Decimal is a bug, not a rounding."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"MinorUnits takes an int of minor units, not {type(value).__name__}")
        return value


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp; SQLite gives naive values back, so UTC is re-attached."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise TypeError("UtcDateTime takes a timezone-aware datetime")
        utc: datetime = value.astimezone(UTC)
        # SQLite stores the text; keep it naive UTC so that comparisons sort correctly
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# BIGINT on both databases: an amount beyond it cannot be stored (SPEC §7: a 422, not a 500)
MAX_MINOR_UNITS = 2**63 - 1


def storable(units: int) -> bool:
    """Whether `units` fits the BIGINT column (and a sum the database checks in BIGINT)."""
    return -MAX_MINOR_UNITS <= units <= MAX_MINOR_UNITS


def to_minor(amount: Decimal, currency: Currency) -> int:
    """2509.07 CNY → 250907; an amount with more digits than the currency has is refused."""
    units = amount.scaleb(currency.minor_digits)
    if units != units.to_integral_value():
        raise ValueError(f"{amount} has more than {currency.minor_digits} minor digits")
    return int(units)


def from_minor(units: int, currency: Currency) -> Decimal:
    """250907 → Decimal('2509.07') for CNY, with exactly the currency's minor digits."""
    return Decimal(units).scaleb(-currency.minor_digits)
