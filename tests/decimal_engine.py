"""The previous Decimal engine's table (before the integer core), kept as a reference.

This is `amortize` as it was in app/engine/schedule.py before amounts became integers of minor
units: every amount a Decimal quantized to the currency, interest from the annual rate with the
division last, 34 significant digits. tests/engine/test_integer_core.py requires the integer
core to give exactly these rows (and `totals` these sums) on random loans.
"""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from app.engine.errors import InvalidTerms
from app.engine.money import ROUNDING_MODES, ZERO, exact, quantize
from app.engine.schedule import (
    MAX_BALANCE,
    GraceType,
    Installment,
    InterestBasis,
    LoanTerms,
    Method,
    Totals,
    _calendar,
    check_terms,
)


def level_installment(balance: Decimal, annual_rate: Decimal, count: int) -> Decimal:
    """等额本息 payment A = P·i·(1+i)^n / ((1+i)^n − 1) with i = annual / 12, or P / n at rate
    zero (unrounded).

    Written with the annual rate a and the division by 12 last, A = P·a·(12+a)^n /
    (12·((12+a)^n − 12^n)), so that an A which is exactly a half unit stays one: one month of
    1237.560 at 0.05 is 1237.560 × 12.05 / 12 = 1242.7165, not 1242.71649…9 (0.05 / 12 does
    not terminate).
    """
    if annual_rate == 0:
        return balance / count
    growth = (12 + annual_rate) ** count
    return balance * annual_rate * growth / (12 * (growth - Decimal(12) ** count))


def totals(rows: list[Installment], payments: list[Decimal]) -> Totals:
    return Totals(
        principal=sum(map(attrgetter("principal"), rows), ZERO),
        interest=sum(map(attrgetter("interest"), rows), ZERO),
        fee=sum(map(attrgetter("fee"), rows), ZERO),
        payment=sum(payments, ZERO),
        capitalized_interest=sum(map(attrgetter("capitalized_interest"), rows), ZERO),
    )


def _fees(terms: LoanTerms, zero: Decimal) -> list[Decimal]:
    """Each period's fee (flat_fee only; zero otherwise); the last takes the remainder."""
    count = 1 if terms.method is Method.BULLET else terms.term_months
    if terms.method is not Method.FLAT_FEE:
        return [zero] * count

    def q(amount: Decimal) -> Decimal:
        return quantize(amount, terms.currency, terms.rounding)

    if terms.fee_rate_per_period is not None:
        return [q(terms.principal * terms.fee_rate_per_period)] * count
    assert terms.fee_rate is not None
    each = q(terms.principal * terms.fee_rate / count)
    # the last period takes the remainder so the fees add up to round(P · fee_rate)
    last = q(terms.principal * terms.fee_rate) - each * (count - 1)
    if last < 0:
        raise InvalidTerms("fee_rate", "the last period's fee would be negative")
    return [each] * (count - 1) + [last]


def _first_level(
    method: Method,
    balance: Decimal,
    annual_rate: Decimal,
    remaining: int,
    unit: Decimal,
    mode: str,
) -> Decimal:
    """What each period repeats after grace: A (等额本息), P / n (等额本金, flat_fee), or 0."""
    if method is Method.EQUAL_INSTALLMENT:
        level = level_installment(balance, annual_rate, remaining)
    elif method in (Method.EQUAL_PRINCIPAL, Method.FLAT_FEE):
        level = balance / remaining
    else:
        return ZERO.quantize(unit)
    return level.quantize(unit, mode)


@exact
def amortize(terms: LoanTerms) -> tuple[list[Installment], Decimal]:
    """The schedule's rows, and what each period repeats after grace (SPEC §2): A, P / n or 0.

    Three phases over the calendar with the running balance: grace rows, the level rows, and
    the last row, which takes the whole remaining principal. Every amount carries the
    currency's exponent (zeros too), so rows print without another rounding. The level loop
    is written out with locals and no per-row branching on the method: a 600-row schedule
    runs it 600 times per request.
    """
    check_terms(terms)
    method = terms.method
    unit = terms.currency.minor_unit
    mode = ROUNDING_MODES[terms.rounding]
    zero = ZERO.quantize(unit)
    fees = _fees(terms, zero)
    count = len(fees)
    grace = terms.grace_months
    # Interest is balance × annual × (months / 12 or days / day_count), divided last so an
    # exact half unit rounds as one (see ContractRate). flat_fee's price is its fee: neither.
    periodic_annual = actual_annual = None
    annual = terms.rate.annual_rate
    if method is not Method.FLAT_FEE:
        if terms.interest_basis is InterestBasis.ACTUAL:
            actual_annual = annual  # × days / day_count below
        else:  # one period; a bullet's period is its whole term
            periodic_annual = annual * (terms.term_months if method is Method.BULLET else 1)
    day_count = terms.rate.day_count

    def interest_on(balance: Decimal, days: int) -> Decimal:
        if periodic_annual is not None:
            return (balance * periodic_annual / 12).quantize(unit, mode)
        if actual_annual is not None:
            return (balance * actual_annual * days / day_count).quantize(unit, mode)
        return zero

    def too_large(number: int) -> InvalidTerms:
        # capitalized or unpaid (negative amortization) interest compounding without bound
        return InvalidTerms(
            "grace_months" if number <= grace else "interest_basis",
            "the balance would grow above 10^24; shorten the term or lower the rate",
        )

    calendar = _calendar(
        terms.start_date, terms.term_months, terms.first_due_date, method is Method.BULLET
    )
    new_row = tuple.__new__  # Installment(...) without the NamedTuple's Python-level __new__
    rows: list[Installment] = []
    balance = terms.principal.quantize(unit)
    capitalize = terms.grace_type is GraceType.CAPITALIZE
    for number in range(1, grace + 1):  # grace: interest only, or added to the balance
        due, days = calendar[number - 1]
        interest = interest_on(balance, days)
        capitalized, interest = (interest, zero) if capitalize else (zero, interest)
        closing = balance + capitalized
        if closing > MAX_BALANCE:
            raise too_large(number)
        row = (number, due, days, balance, zero, interest, fees[number - 1], capitalized, closing)
        rows.append(new_row(Installment, row))
        balance = closing
    # set even when one installment remains: it is installment_amount
    level = _first_level(method, balance, annual, count - grace, unit, mode)
    level_payment = method is Method.EQUAL_INSTALLMENT  # principal = A − interest
    append = rows.append
    level_rows = zip(
        range(grace + 1, count), calendar[grace : count - 1], fees[grace : count - 1], strict=True
    )
    for number, (due, days), fee in level_rows:
        if periodic_annual is not None:
            interest = (balance * periodic_annual / 12).quantize(unit, mode)
        elif actual_annual is not None:
            interest = (balance * actual_annual * days / day_count).quantize(unit, mode)
        else:
            interest = zero
        principal = level - interest if level_payment else level
        closing = balance - principal
        if not zero <= closing <= MAX_BALANCE:
            if closing > MAX_BALANCE:
                raise too_large(number)
            raise InvalidTerms(
                "principal", "the balance would fall below zero before the last installment"
            )
        append(
            new_row(
                Installment, (number, due, days, balance, principal, interest, fee, zero, closing)
            )
        )
        balance = closing
    due, days = calendar[-1]  # grace < count, so the last row always amortizes
    last = (count, due, days, balance, balance, interest_on(balance, days), fees[-1], zero, zero)
    rows.append(new_row(Installment, last))
    return rows, level
