"""Restructuring options side by side (协商还款方案, SPEC §6).

From a position the engine forms the restructured balance B0 (payoff less the rounded
waivers) and offers: pay the overdue now (还清逾期), settle now (一次性结清), deferral (延期还款),
re-installment (协商分期 / 个性化分期), interest freeze (停息挂账) and the shortest plan that fits
the borrower's capacity, each with cost, IRR-based APR (年化利率), affordability and compliance
(term ≤ max_term_months, the credit-card rule's 5 years by default; APR ≤ rate_cap, the court
cap of 24 %), and one recommendation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.engine.allocation import AllocationRule, Payment
from app.engine.amortize import level_payment
from app.engine.contract_rate import ContractRate
from app.engine.errors import CalculationError, InvalidTerms
from app.engine.ledger import ScheduledInstallment
from app.engine.money import ONE, ZERO, Currency, Rounding, exact, quantize
from app.engine.option import KIND_ORDER, Option, OptionKind, Payments, lump_payments, plan_payments
from app.engine.penalty import PenaltyRule
from app.engine.position import (
    InstallmentStatus,
    LoanContract,
    Position,
    position_as_of,
)
from app.engine.restructuring_notes import option_notes
from app.engine.rounding import from_units
from app.engine.schedule import (
    GraceType,
    InterestBasis,
    LoanTerms,
    Method,
    Schedule,
    build_schedule,
)

MAX_PLAN_TERM = 600
__all__ = [
    "Restructuring",
    "RestructuringPolicy",
    "RestructuringRequest",
    "recommend",
    "restructuring_options",
]


@dataclass(frozen=True, slots=True)
class RestructuringPolicy:
    max_term_months: int = 60  # credit-card rule: negotiated plans up to 5 years
    restructure_annual_rate: Decimal | None = None  # default: the contract rate
    penalty_waiver: Decimal = ONE  # fraction of the outstanding penalty forgiven
    interest_waiver: Decimal = ZERO  # fraction of the overdue interest forgiven
    settlement_discount: Decimal = ZERO  # fraction of the interest in B0 forgiven for a lump sum
    deferral_months: tuple[int, ...] = (1, 2, 3)
    installment_terms: tuple[int, ...] = (3, 6, 12, 24, 36, 60)
    rate_cap: Decimal = Decimal("0.24")  # 4 × LPR / 24 % court cap


@dataclass(frozen=True, slots=True)
class RestructuringRequest:
    contract: LoanContract
    payments: Sequence[Payment]
    as_of: date
    penalty: PenaltyRule = field(default_factory=PenaltyRule)
    allocation: AllocationRule = field(default_factory=AllocationRule)
    capacity: Decimal | None = None
    first_due_date: date | None = None
    policy: RestructuringPolicy = field(default_factory=RestructuringPolicy)


@dataclass(frozen=True, slots=True)
class Restructuring:
    position: Position
    balance: Decimal  # B0, the restructured balance
    options: tuple[Option, ...]
    recommended: str | None


@dataclass(frozen=True, slots=True)
class _Context:
    """What every option of one request shares."""

    request: RestructuringRequest
    position: Position
    balance: Decimal
    waived_penalty: Decimal
    waived_interest: Decimal
    rate: ContractRate
    first_due_date: date | None  # None: the engine's own, one month after as_of, day from as_of

    @property
    def currency(self) -> Currency:
        return self.request.contract.currency

    def q(self, amount: Decimal) -> Decimal:
        return quantize(amount, self.currency, self.request.contract.rounding)


def _option(
    ctx: _Context,
    kind: OptionKind,
    term: int,
    payments: Payments,
    schedule: Schedule | None,
    lump_sums: Sequence[ScheduledInstallment],
    waived: tuple[Decimal, Decimal],
    option_id: str,
) -> Option:
    """An option's figures from the payments it asks for; `waived` is (penalty, interest)."""
    policy = ctx.request.policy
    apr = schedule.apr if schedule is not None else None
    capacity = ctx.request.capacity
    first, largest, total = payments
    return Option(
        id=option_id,
        kind=kind,
        term_months=term,
        currency=ctx.currency,
        schedule=schedule,
        lump_sums=tuple(lump_sums),
        first_payment=first,
        max_payment=largest,
        total_payable=total,
        total_cost=total - ctx.position.summary.outstanding_principal,
        waived_penalty=waived[0],
        waived_interest=waived[1],
        apr=apr,
        affordable=None if capacity is None else largest <= capacity,
        # options without a schedule (pay or settle now) count as compliant (SPEC §6)
        compliant=schedule is None
        or (term <= policy.max_term_months and apr is not None and apr <= policy.rate_cap),
        notes=option_notes(kind, term, first, largest, total, ctx.currency),
    )


def _pay_overdue_now(ctx: _Context) -> Option:
    summary = ctx.position.summary
    as_of = ctx.request.as_of
    rows = [
        ScheduledInstallment(
            1,
            as_of,
            summary.overdue_principal,
            summary.overdue_interest,
            summary.overdue_fee + summary.outstanding_penalty,
        )
    ]
    remaining = [
        r for r in ctx.position.installments if r.is_unpaid and r.scheduled.due_date >= as_of
    ]
    for r in remaining:
        rows.append(
            ScheduledInstallment(
                len(rows) + 1,
                r.scheduled.due_date,
                r.outstanding_principal,
                r.outstanding_interest,
                r.outstanding_fee,
            )
        )
    # No waivers here: the borrower cures the arrears and keeps the original schedule.
    return _option(
        ctx,
        OptionKind.PAY_OVERDUE_NOW,
        len(remaining),
        lump_payments(rows),
        None,
        rows,
        (ZERO, ZERO),
        OptionKind.PAY_OVERDUE_NOW.value,
    )


def _settle_now(ctx: _Context) -> Option:
    summary = ctx.position.summary
    due_today_interest = sum(
        (
            r.outstanding_interest
            for r in ctx.position.installments
            if r.status is InstallmentStatus.DUE_TODAY
        ),
        ZERO,
    )
    interest_in_balance = (
        summary.overdue_interest
        - ctx.waived_interest
        + due_today_interest
        + summary.accrued_interest
    )
    # the amount paid is what is rounded (SPEC §6), not the discount: at a half-unit tie the
    # two differ by one minor unit (B0 5018.14 − 0.5 × 110.69 = 4962.795 → 4962.80)
    amount = ctx.q(ctx.balance - ctx.request.policy.settlement_discount * interest_in_balance)
    discount = ctx.balance - amount
    row = ScheduledInstallment(1, ctx.request.as_of, amount, ZERO, ZERO)
    return _option(
        ctx,
        OptionKind.SETTLE_NOW,
        0,
        lump_payments([row]),
        None,
        [row],
        (ctx.waived_penalty, ctx.waived_interest + discount),
        OptionKind.SETTLE_NOW.value,
    )


def _plan_schedule(
    ctx: _Context,
    method: Method,
    term: int,
    *,
    rate: ContractRate | None = None,
    grace_months: int = 0,
) -> Schedule | None:
    """B0 as a plan from as_of on the periodic basis; None when the engine rejects it."""
    contract = ctx.request.contract
    if not 1 <= term <= MAX_PLAN_TERM:
        return None
    terms = LoanTerms(
        principal=ctx.balance,
        currency=contract.currency,
        rate=rate or ctx.rate,
        term_months=term,
        start_date=ctx.request.as_of,
        method=method,
        first_due_date=ctx.first_due_date,
        interest_basis=InterestBasis.PERIODIC,
        grace_months=grace_months,
        grace_type=GraceType.INTEREST_ONLY,
        rounding=contract.rounding,
    )
    try:
        return build_schedule(terms)
    except CalculationError:
        return None


def _plan_option(
    ctx: _Context, kind: OptionKind, schedule: Schedule | None, suffix: int
) -> Option | None:
    if schedule is None:
        return None
    return _option(
        ctx,
        kind,
        len(schedule.rows),
        plan_payments(schedule),
        schedule,
        (),
        (ctx.waived_penalty, ctx.waived_interest),
        f"{kind.value}-{suffix}",
    )


def _capacity_term(ctx: _Context, capacity: Decimal) -> Schedule | None:
    """The shortest equal_installment plan whose largest installment is at most `capacity`.

    Every row but the last pays the level amount A(n), so A(n) ≤ capacity is necessary; A falls
    as n grows, so a bisection finds the first candidate and a short walk checks the last row.
    """
    limit = min(ctx.request.policy.max_term_months, MAX_PLAN_TERM)
    num, den = ctx.rate.annual_rate.as_integer_ratio()
    b_num, b_den = ctx.balance.as_integer_ratio()  # the balance, exactly, in minor units:
    balance = b_num * 10**ctx.currency.minor_digits  # balance / b_den
    half_even = ctx.request.contract.rounding is Rounding.HALF_EVEN

    def level(n: int) -> Decimal:
        return from_units(level_payment(balance, num, den, n, half_even, b_den), ctx.currency)

    low, high = 1, limit
    if level(high) > capacity:
        return None
    while low < high:
        middle = (low + high) // 2
        if level(middle) <= capacity:
            high = middle
        else:
            low = middle + 1
    for term in range(low, limit + 1):
        schedule = _plan_schedule(ctx, Method.EQUAL_INSTALLMENT, term)
        if schedule is not None and plan_payments(schedule).largest <= capacity:
            return schedule
    return None


def _context(request: RestructuringRequest, position: Position) -> _Context:
    contract, policy, summary = request.contract, request.policy, position.summary
    waived_penalty = quantize(
        policy.penalty_waiver * summary.outstanding_penalty, contract.currency, contract.rounding
    )
    waived_interest = quantize(
        policy.interest_waiver * summary.overdue_interest, contract.currency, contract.rounding
    )
    rate = contract.rate  # the contract's own rate, not one rebuilt from its daily rate
    if policy.restructure_annual_rate is not None:
        rate = ContractRate.from_annual(policy.restructure_annual_rate, contract.rate.day_count)
    # Without a first due date the plan's dates step from as_of (Jan 31 → Feb 28, Mar 31,
    # Apr 30); passing the clamped Feb 28 instead would anchor every later date on the 28th.
    first_due = request.first_due_date
    if first_due is not None and first_due <= request.as_of:
        raise InvalidTerms("first_due_date", "must be after as_of")
    return _Context(
        request,
        position,
        summary.payoff_amount - waived_penalty - waived_interest,
        waived_penalty,
        waived_interest,
        rate,
        first_due,
    )


def recommend(
    options: Sequence[Option], capacity: Decimal | None, installment_amount: Decimal
) -> str | None:
    """SPEC §6: the cheapest compliant candidate but a freeze; a freeze only as a last resort."""
    if capacity is not None:
        candidates = [o for o in options if o.compliant and o.affordable]
    else:
        candidates = [o for o in options if o.compliant and o.first_payment <= installment_amount]
    others = [o for o in candidates if o.kind is not OptionKind.INTEREST_FREEZE]
    if others:
        best = min(others, key=lambda o: (o.total_cost, o.term_months, KIND_ORDER.index(o.kind)))
        return best.id
    freezes = [o for o in candidates if o.kind is OptionKind.INTEREST_FREEZE]
    return min(freezes, key=lambda o: o.term_months).id if freezes else None


@exact
def restructuring_options(request: RestructuringRequest) -> Restructuring:
    """Every plan the lender can offer for this loan on `as_of`, and the one to offer first."""
    position = position_as_of(
        request.contract,
        request.payments,
        request.as_of,
        penalty=request.penalty,
        allocation=request.allocation,
    )
    ctx = _context(request, position)
    if ctx.balance <= 0 or position.summary.payoff_amount <= 0:
        return Restructuring(position, ctx.balance, (), None)
    policy = request.policy
    unpaid = sum(1 for r in position.installments if r.is_unpaid)
    terms = sorted({n for n in policy.installment_terms if n <= policy.max_term_months})
    options: list[Option | None] = [_pay_overdue_now(ctx), _settle_now(ctx)]
    for k in sorted(set(policy.deferral_months)):
        schedule = _plan_schedule(ctx, Method.EQUAL_INSTALLMENT, unpaid + k, grace_months=k)
        options.append(_plan_option(ctx, OptionKind.DEFERRAL, schedule, k))
    for n in terms:
        options.append(
            _plan_option(
                ctx, OptionKind.REINSTALLMENT, _plan_schedule(ctx, Method.EQUAL_INSTALLMENT, n), n
            )
        )
    frozen = ContractRate.from_annual(ZERO, ctx.rate.day_count)
    for n in terms:
        options.append(
            _plan_option(
                ctx,
                OptionKind.INTEREST_FREEZE,
                _plan_schedule(ctx, Method.EQUAL_PRINCIPAL, n, rate=frozen),
                n,
            )
        )
    if request.capacity is not None:
        fitting = _capacity_term(ctx, request.capacity)
        if fitting is not None:
            options.append(_plan_option(ctx, OptionKind.CAPACITY_PLAN, fitting, len(fitting.rows)))
    offered = tuple(o for o in options if o is not None)
    installment_amount = request.contract.installment_amount
    if installment_amount is None:
        installment_amount = request.contract.installments[0].payment
    return Restructuring(
        position, ctx.balance, offered, recommend(offered, request.capacity, installment_amount)
    )
