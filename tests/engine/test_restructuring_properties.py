"""Properties of restructuring options on random loans, payments and dates (SPEC §2, §6).

Each random request is answered by the engine; the test recomputes what it can without it:
B0 from the position and the waivers, the option ids and their order from the policy, every
plan's reconciliation (SPEC §2 invariants), the costs, the flags, the capacity plan's minimality
(the term below it rebuilt through POST /v1/schedules and by tests/reference.py) and the
recommendation by the rule of SPEC §6 written out again here.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.engine.allocation import Payment
from app.engine.contract_rate import ContractRate
from app.engine.dates import DayCount
from app.engine.loan_contract import contract_of
from app.engine.money import CNY, Rounding
from app.engine.option import Option
from app.engine.restructuring import (
    Restructuring,
    RestructuringPolicy,
    RestructuringRequest,
    restructuring_options,
)
from app.engine.schedule import LoanTerms, Method, Schedule, build_schedule
from tests.reference import cents, equal_installment_rows

KINDS = (
    "pay_overdue_now",
    "settle_now",
    "deferral",
    "reinstallment",
    "interest_freeze",
    "capacity_plan",
)


@dataclass(frozen=True)
class Case:
    loan: Schedule
    request: RestructuringRequest
    annual_rate: Decimal  # of the plans

    @property
    def rounding(self) -> str:
        return self.request.contract.rounding.value


def one_month_after(day: date) -> date:
    year, month = divmod(day.year * 12 + day.month, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@st.composite
def cases(draw) -> Case:
    rounding = draw(st.sampled_from([Rounding.HALF_UP, Rounding.HALF_EVEN]))
    annual = Decimal(draw(st.integers(0, 36))) / 100
    start = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
    term = draw(st.integers(1, 24))
    principal = Decimal(draw(st.integers(100_000, 20_000_000))).scaleb(-2)
    loan = build_schedule(
        LoanTerms(
            principal=principal,
            currency=CNY,
            rate=ContractRate.from_annual(annual, DayCount.D360),
            term_months=term,
            start_date=start,
            method=draw(
                st.sampled_from(
                    [Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL, Method.INTEREST_ONLY]
                )
            ),
            rounding=rounding,
        )
    )
    as_of = start + timedelta(days=draw(st.integers(1, (term + 3) * 31)))
    payments = []
    for row in loan.installments:
        if row.due_date > as_of:
            break
        behaviour = draw(st.sampled_from(["on_time", "late", "partial", "skip"]))
        payment = row.principal + row.interest + row.fee
        if behaviour == "on_time":
            payments.append(Payment(row.due_date, payment, f"p{row.number}"))
        elif behaviour == "late":
            late = min(row.due_date + timedelta(days=draw(st.integers(1, 40))), as_of)
            payments.append(Payment(late, payment, f"p{row.number}"))
        elif behaviour == "partial" and payment > Decimal("0.01"):
            part = Decimal(draw(st.integers(1, int(payment * 100) - 1))).scaleb(-2)
            payments.append(Payment(row.due_date, part, f"p{row.number}"))
    if draw(st.integers(0, 7)) == 0:  # sometimes a payment that settles the whole loan
        payments.append(Payment(as_of, loan.totals.payment * 2, "payoff"))
    payments.sort(key=lambda p: p.date)
    restructure = draw(st.one_of(st.none(), st.integers(0, 36).map(lambda k: Decimal(k) / 100)))
    fraction = st.sampled_from([Decimal("0"), Decimal("0.25"), Decimal("0.5"), Decimal("1")])
    policy = RestructuringPolicy(
        max_term_months=draw(st.sampled_from([6, 12, 24, 60])),
        restructure_annual_rate=restructure,
        penalty_waiver=draw(fraction),
        interest_waiver=draw(fraction),
        settlement_discount=draw(st.sampled_from([Decimal("0"), Decimal("0.1")])),
        deferral_months=tuple(draw(st.lists(st.integers(1, 6), min_size=1, max_size=3))),
        installment_terms=tuple(draw(st.lists(st.integers(1, 72), min_size=1, max_size=6))),
        rate_cap=draw(st.sampled_from([Decimal("0.15"), Decimal("0.24")])),
    )
    # capacity 0.5 % to 100 % of the loan, so that most plans are tried against it
    capacity = draw(
        st.one_of(
            st.none(),
            st.integers(1, 200).map(lambda k: max(cents(principal * k / 200), Decimal("0.01"))),
        )
    )
    first_due = draw(st.one_of(st.none(), st.integers(1, 45)))
    request = RestructuringRequest(
        contract=contract_of(loan),
        payments=payments,
        as_of=as_of,
        policy=policy,
        capacity=capacity,
        first_due_date=None if first_due is None else as_of + timedelta(days=first_due),
    )
    return Case(loan, request, annual if restructure is None else restructure)


def b0_of(case: Case, result: Restructuring) -> Decimal:
    """payoff − round(penalty_waiver × penalty) − round(interest_waiver × overdue interest)."""
    s, policy = result.position.summary, case.request.policy
    return (
        s.payoff_amount
        - cents(policy.penalty_waiver * s.outstanding_penalty, case.rounding)
        - cents(policy.interest_waiver * s.overdue_interest, case.rounding)
    )


def unpaid_count(result: Restructuring) -> int:
    """Installments not settled, overdue or not yet due, with something to pay (SPEC §5, §6)."""
    return sum(
        1
        for r in result.position.installments
        if r.settled_on is None
        and r.outstanding_principal
        + r.outstanding_interest
        + r.outstanding_fee
        + r.outstanding_penalty
        > 0
    )


def expected_plans(case: Case, unpaid: int) -> list[tuple[str, dict[str, object]]]:
    """Every plan id SPEC §6 lists for this policy, in order, with its /v1/schedules terms."""
    policy = case.request.policy
    terms = sorted({n for n in policy.installment_terms if n <= policy.max_term_months})
    plans: list[tuple[str, dict[str, object]]] = [
        (
            f"deferral-{k}",
            {"term_months": unpaid + k, "grace_months": k, "grace_type": "interest_only"},
        )
        for k in sorted(set(policy.deferral_months))
    ]
    plans += [(f"reinstallment-{n}", {"term_months": n}) for n in terms]
    plans += [
        (
            f"interest_freeze-{n}",
            {"term_months": n, "method": "equal_principal", "annual_rate": "0"},
        )
        for n in terms
    ]
    return plans


def post_schedule(client, case: Case, b0: Decimal, **overrides: object):
    request = case.request
    body = {
        "principal": format(b0, "f"),
        "annual_rate": format(case.annual_rate, "f"),
        "day_count": 360,
        "method": "equal_installment",
        "start_date": request.as_of.isoformat(),
        "rounding": case.rounding,
        **overrides,
    }
    # without one, the plan steps from as_of like a loan (SPEC §1: Jan 31 → Feb 28, Mar 31)
    if request.first_due_date is not None:
        body["first_due_date"] = request.first_due_date.isoformat()
    return client.post("/v1/schedules", json=body)


def recommended_by_the_rule(case: Case, options: tuple[Option, ...]) -> str | None:
    """SPEC §6, written again: compliant and affordable (capacity) or first payment ≤ the original
    installment_amount; cheapest non-freeze, ties to the shorter term, then the earlier kind;
    else the shortest freeze."""
    capacity = case.request.capacity
    if capacity is not None:
        candidates = [o for o in options if o.compliant and o.max_payment <= capacity]
    else:
        candidates = [
            o for o in options if o.compliant and o.first_payment <= case.loan.installment_amount
        ]
    others = [o for o in candidates if o.kind.value != "interest_freeze"]
    if others:
        return min(
            others, key=lambda o: (o.total_cost, o.term_months, KINDS.index(o.kind.value))
        ).id
    freezes = [o for o in candidates if o.kind.value == "interest_freeze"]
    return min(freezes, key=lambda o: o.term_months).id if freezes else None


def check_plan(case: Case, option: Option, b0: Decimal, unpaid: int) -> None:
    """SPEC §2 invariants on B0, and the option's figures from its own rows."""
    rows = option.schedule.installments
    first_due = case.request.first_due_date or one_month_after(case.request.as_of)
    assert rows[0].opening_principal == b0
    assert rows[0].due_date == first_due
    assert sum(r.principal for r in rows) == b0
    assert all(r.payment == r.principal + r.interest + r.fee for r in rows)
    assert all(r.closing_principal == r.opening_principal - r.principal for r in rows)
    assert rows[-1].closing_principal == 0
    assert option.term_months == len(rows)
    assert option.first_payment == rows[0].payment
    assert option.max_payment == max(r.payment for r in rows)
    assert option.total_payable == sum(r.payment for r in rows)
    if option.kind.value == "deferral":
        k = int(option.id.split("-")[1])
        assert option.term_months == unpaid + k
        assert all(r.principal == 0 for r in rows[:k])
    if option.kind.value == "interest_freeze":
        assert all(r.interest == 0 for r in rows)


def check_lump_sums(case: Case, result: Restructuring, b0: Decimal) -> None:
    """pay_overdue_now: total_overdue now, then the unsettled installments due on or after as_of
    with something to pay; settle_now: B0 less the discount on the interest in B0."""
    s, request, policy = result.position.summary, case.request, case.request.policy
    found = {o.id: o for o in result.options}
    remaining = [
        r.outstanding_principal + r.outstanding_interest + r.outstanding_fee
        for r in result.position.installments
        if r.settled_on is None
        and r.scheduled.due_date >= request.as_of
        and r.outstanding_principal + r.outstanding_interest + r.outstanding_fee > 0
    ]
    overdue_now = found["pay_overdue_now"]
    assert overdue_now.term_months == len(remaining)
    assert overdue_now.first_payment == s.total_overdue
    assert overdue_now.max_payment == max([s.total_overdue, *remaining])
    assert overdue_now.total_payable == s.total_overdue + sum(remaining)
    assert (overdue_now.waived_penalty, overdue_now.waived_interest) == (0, 0)
    assert overdue_now.apr is None

    waived_interest = cents(policy.interest_waiver * s.overdue_interest, case.rounding)
    due_today = sum(
        (
            r.outstanding_interest
            for r in result.position.installments
            if r.settled_on is None and r.scheduled.due_date == request.as_of
        ),
        Decimal(0),
    )
    interest_in_b0 = s.overdue_interest - waived_interest + due_today + s.accrued_interest
    # SPEC §6 rounds the amount paid, B0 − discount × interest in B0, not the discount
    paid = cents(b0 - policy.settlement_discount * interest_in_b0, case.rounding)
    settle = found["settle_now"]
    assert (settle.term_months, settle.apr) == (0, None)
    assert settle.first_payment == settle.max_payment == settle.total_payable == paid
    assert settle.waived_interest == waived_interest + (b0 - paid)


def check_capacity_plan(client, case: Case, result: Restructuring, b0: Decimal) -> None:
    """capacity_plan-n: the largest installment fits and no shorter term fits (n − 1 rebuilt
    through POST /v1/schedules, every shorter term by tests/reference.py)."""
    capacity = case.request.capacity
    monthly = case.annual_rate / 12
    limit = case.request.policy.max_term_months

    def fits(n: int) -> bool:
        rows = equal_installment_rows(b0, monthly, n, rounding=case.rounding)
        return max(p + i for p, i in rows) <= capacity

    plans = [o for o in result.options if o.kind.value == "capacity_plan"]
    if not plans:
        event("no capacity plan fits")
        assert not any(fits(n) for n in range(1, limit + 1))
        return
    (plan,) = plans
    event(f"capacity_plan term {'1' if plan.term_months == 1 else '> 1'}")
    n = plan.term_months
    assert plan.id == f"capacity_plan-{n}"
    assert 1 <= n <= limit
    assert plan.max_payment <= capacity
    assert not any(fits(m) for m in range(1, n))
    if n > 1:
        response = post_schedule(client, case, b0, term_months=n - 1)
        assert response.status_code == 200, response.text
        largest = max(Decimal(r["payment"]) for r in response.json()["installments"])
        assert largest > capacity


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_restructuring_options_keep_their_invariants(client, case):
    result = restructuring_options(case.request)
    summary, policy = result.position.summary, case.request.policy
    b0 = b0_of(case, result)
    assert result.balance == b0
    if b0 <= 0 or summary.payoff_amount <= 0:
        assert (result.options, result.recommended) == ((), None)
        event("nothing to restructure")
        return

    # ids and order exactly as SPEC §6; a missing plan is one the schedule engine rejects
    unpaid = unpaid_count(result)
    plans = expected_plans(case, unpaid)
    ids = [o.id for o in result.options]
    listed = [i for i in ids if not i.startswith("capacity_plan-")]
    assert listed[:2] == ["pay_overdue_now", "settle_now"]
    assert listed[2:] == [plan_id for plan_id, _ in plans if plan_id in listed]
    for plan_id, terms in plans:
        if plan_id not in listed:
            event("a plan the schedule engine rejects")
            assert post_schedule(client, case, b0, **terms).status_code == 422, plan_id
    capacity_plans = ids[len(listed) :]
    assert capacity_plans == [i for i in ids if i.startswith("capacity_plan-")]
    assert len(capacity_plans) <= (0 if case.request.capacity is None else 1)

    check_lump_sums(case, result, b0)
    for option in result.options:
        assert option.total_cost == option.total_payable - summary.outstanding_principal
        expected_affordable = (
            None if case.request.capacity is None else option.max_payment <= case.request.capacity
        )
        assert option.affordable == expected_affordable
        if option.schedule is not None:
            check_plan(case, option, b0, unpaid)
            assert option.compliant == (
                option.term_months <= policy.max_term_months and option.apr <= policy.rate_cap
            )
        else:  # pay_overdue_now and settle_now: no schedule, so compliant (SPEC §6)
            assert option.compliant is True

    reinstallments = sorted(
        (o.term_months, o.max_payment) for o in result.options if o.kind.value == "reinstallment"
    )
    # Rounding residue (up to (m - 1) × half a cent) lands on the last row, so tiny balances can
    # break monotonicity (B0 0.02: 2 × 0.01, but 5 months of A = 0.00 leave 0.02 to the last).
    # A_n − A_m ≥ B0 / m² − 0.01 beats the residue once B0 ≥ 0.005 m³; check from 0.01 m³.
    longest = max((term for term, _ in reinstallments), default=0)
    if b0 >= Decimal("0.01") * longest**3:
        assert all(longer[1] <= shorter[1] for shorter, longer in pairwise(reinstallments))
    if case.request.capacity is not None:
        check_capacity_plan(client, case, result, b0)
    assert result.recommended == recommended_by_the_rule(case, result.options)
