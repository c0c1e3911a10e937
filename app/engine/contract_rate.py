"""A loan's contract rate (SPEC §1): the one home of the annual/daily/monthly relations.

Schedules, accruals, penalties and allocation all take their rate from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.engine.dates import DayCount


@dataclass(frozen=True, slots=True)
class ContractRate:
    """A loan's rate: daily = annual / day_count, monthly = annual / 12 (SPEC §1).

    Interest is computed from the annual rate with the division last: 78.00 × 0.13 / 12 is
    exactly 0.845 and rounds half-up to 0.85, while 78.00 × (0.13 / 12), with the monthly rate
    cut to 34 digits, is 0.84499…97 and would round to 0.84. A daily rate given as such is
    kept exactly: its annual rate daily × day_count is exact, and so is dividing it back.
    """

    annual_rate: Decimal
    daily_rate: Decimal
    day_count: DayCount

    @classmethod
    def from_annual(cls, annual_rate: Decimal, day_count: DayCount) -> ContractRate:
        return cls(annual_rate, annual_rate / day_count, day_count)

    @classmethod
    def from_daily(cls, daily_rate: Decimal, day_count: DayCount) -> ContractRate:
        return cls(daily_rate * day_count, daily_rate, day_count)

    @property
    def monthly_rate(self) -> Decimal:
        return self.annual_rate / 12

    def for_days(self, balance_days: Decimal) -> Decimal:
        """Exact interest on a sum of balance × days (unrounded)."""
        return balance_days * self.annual_rate / self.day_count
