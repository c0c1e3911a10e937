"""A loan's contract as a position reads it (SPEC §5): its installments in minor units and its
contract rate, built from a schedule's integer rows or from explicit Decimal installments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.engine.amortize import UnitRow
from app.engine.contract_rate import ContractRate
from app.engine.errors import InvalidTerms
from app.engine.ledger import ScheduledInstallment, ScheduledUnits
from app.engine.money import Currency, Rounding
from app.engine.rounding import to_units, units_to_decimal
from app.engine.schedule import GraceType, LoanTerms, Method, Schedule, amortize_units


@dataclass(frozen=True, slots=True)
class LoanContract:
    """What a position needs of a loan: its installments (in minor units) and its rate."""

    currency: Currency
    rounding: Rounding
    start_date: date
    rate: ContractRate
    rows: tuple[ScheduledUnits, ...]
    accrues_interest: bool = True  # False for flat_fee
    amount_units: int | None = None  # the installment amount

    @classmethod
    def of_installments(
        cls,
        currency: Currency,
        rounding: Rounding,
        start_date: date,
        rate: ContractRate,
        installments: Sequence[ScheduledInstallment],
        accrues_interest: bool = True,
        installment_amount: Decimal | None = None,
    ) -> LoanContract:
        """A contract from installments of Decimal amounts with the currency's digits."""

        def units(amount: Decimal, field: str) -> int:
            try:
                return to_units(amount, currency)
            except ValueError:
                raise InvalidTerms(
                    field, f"has more than {currency.minor_digits} decimals for {currency.code}"
                ) from None

        rows = tuple(
            ScheduledUnits(
                r.number,
                r.due_date,
                units(r.principal, "schedule.installments.principal"),
                units(r.interest, "schedule.installments.interest"),
                units(r.fee, "schedule.installments.fee"),
            )
            for r in installments
        )
        amount = None if installment_amount is None else units(installment_amount, "amount")
        return cls(currency, rounding, start_date, rate, rows, accrues_interest, amount)

    @property
    def installments(self) -> tuple[ScheduledInstallment, ...]:
        """The rows as Decimal amounts."""
        digits = self.currency.minor_digits
        return tuple(
            ScheduledInstallment(
                number,
                due,
                units_to_decimal(principal, digits),
                units_to_decimal(interest, digits),
                units_to_decimal(fee, digits),
            )
            for number, due, principal, interest, fee in self.rows
        )

    @property
    def installment_amount(self) -> Decimal | None:
        if self.amount_units is None:
            return None
        return units_to_decimal(self.amount_units, self.currency.minor_digits)


def scheduled_installments(schedule: Schedule) -> tuple[ScheduledInstallment, ...]:
    """What a schedule's rows ask for on each due date."""
    return tuple(
        ScheduledInstallment(r.number, r.due_date, r.principal, r.interest, r.fee)
        for r in schedule.installments
    )


def contract_of(schedule: Schedule) -> LoanContract:
    """The installments of a built schedule, as a position needs them (SPEC §5)."""
    return _contract(schedule.terms, schedule.rows, schedule.amount_units)


def loan_contract(terms: LoanTerms) -> LoanContract:
    """A loan's contract straight from its terms: the schedule's rows in minor units without
    its annualized rates, which a position never shows (two exact rate solves saved)."""
    rows, level = amortize_units(terms)
    first = rows[0]
    amount = level if terms.method is Method.EQUAL_INSTALLMENT else first[4] + first[5] + first[6]
    return _contract(terms, rows, amount)


def _contract(terms: LoanTerms, rows: Sequence[UnitRow], amount_units: int) -> LoanContract:
    """Loans whose schedule has a negative-principal row or a capitalizing grace period are not
    supported yet (SPEC §5): the allocation rules assume principal only ever falls."""
    # a capitalizing grace period counts even when its interest is 0.00 (rate 0, tiny balance)
    capitalizes = terms.grace_months > 0 and terms.grace_type is GraceType.CAPITALIZE
    if capitalizes or any(r[4] < 0 for r in rows):
        raise InvalidTerms(
            "loan",
            "positions of loans with negative-principal rows or a "
            "capitalizing grace period are not supported yet",
        )
    new_row = tuple.__new__  # ScheduledUnits(...) without the NamedTuple's Python-level __new__
    return LoanContract(
        terms.currency,
        terms.rounding,
        terms.start_date,
        terms.rate,
        tuple(new_row(ScheduledUnits, (r[0], r[1], r[4], r[5], r[6])) for r in rows),
        terms.method is not Method.FLAT_FEE,
        amount_units,
    )
