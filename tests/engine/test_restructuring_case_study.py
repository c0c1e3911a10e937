"""Restructuring options for the case study on 2026-06-20 (SPEC §6, §10), worked out by hand.

Loan: 12,000.00 at daily_rate 0.0005 (360-day year: 0.18 a year, 0.015 a month), 5 ×
equal_installment from 2026-01-15 (rows written out in position_cases.py, 2509.07 a month);
installments 1-3 paid on their due dates. The position on 2026-06-20 (test_position_case_study):

    overdue principal  2435.46 + 2471.99 = 4907.45   (nothing is left not yet due)
    overdue interest     73.61 +   37.08 =  110.69
    penalty  36 d × 2435.46 × 0.00075 = 65.75742  → 65.76   (1.5 × 0.0005 a day)
           +  5 d × 2471.99 × 0.00075 =  9.2699625 →  9.27   = 75.03
    total_overdue = payoff = 4907.45 + 110.69 + 75.03 = 5093.17 (accrued interest 0.00)

Default policy: the whole penalty is waived, no interest: B0 = 5093.17 − 75.03 − 0.00 = 5018.14.
Plans start on as_of, first due 2026-07-20, periodic basis at the contract rate 0.015 a month.
Unpaid installments: 4 and 5, so deferral-k has 2 + k installments, the first k interest only.
total_cost = total_payable − outstanding principal 4907.45.

Every plan figure is also recomputed by tests/reference.py (plain PMT and IRR), the
second method.
"""

from __future__ import annotations

from decimal import Decimal

from app.engine.option import Option, OptionKind
from app.engine.restructuring import (
    Restructuring,
    RestructuringPolicy,
    RestructuringRequest,
    restructuring_options,
)
from tests.engine.position_cases import case_study, d, money, on_time_payments
from tests.reference import equal_installment_rows, interest_free_rows, monthly_apr, pmt_cents

OUTSTANDING_PRINCIPAL = Decimal("4907.45")


def options_on_2026_06_20(
    capacity: str | None = "900.00", policy: RestructuringPolicy | None = None
) -> Restructuring:
    request = RestructuringRequest(
        contract=case_study(),
        payments=on_time_payments(),
        as_of=d("2026-06-20"),
        capacity=Decimal(capacity) if capacity is not None else None,
        policy=policy or RestructuringPolicy(),
    )
    return restructuring_options(request)


def figures(option: Option) -> tuple[object, ...]:
    """(id, term, first, max, total payable, total cost, waived penalty, waived interest, apr,
    affordable, compliant) with amounts as 2-digit strings."""
    return (
        option.id,
        option.term_months,
        money(option.first_payment),
        money(option.max_payment),
        money(option.total_payable),
        money(option.total_cost),
        money(option.waived_penalty),
        money(option.waived_interest),
        None if option.apr is None else format(option.apr, "f"),
        option.affordable,
        option.compliant,
    )


def table(text: str) -> list[tuple[object, ...]]:
    """Rows of `figures` from a text table: '-' is null, yes/no are booleans."""
    words = {"-": None, "yes": True, "no": False}
    rows = []
    for line in text.strip().splitlines()[1:]:
        cells = line.split()
        rows.append((cells[0], int(cells[1]), *(words.get(c, c) for c in cells[2:])))
    return rows


def by_id(result: Restructuring) -> dict[str, Option]:
    return {o.id: o for o in result.options}


def rows_of(option: Option) -> list[tuple[str, str | None, str | None, str | None]]:
    assert option.schedule is not None
    return [
        (r.due_date.isoformat(), money(r.principal), money(r.interest), money(r.closing_principal))
        for r in option.schedule.installments
    ]


# Default policy, capacity 900.00. Plans (B0 5018.14, i = 0.015, A = PMT rounded half-up):
#   deferral: 1 + ... interest-only rows of 5018.14 × 0.015 = 75.2721 → 75.27, then
#     A(2) = 75.2721 × 1.030225 / 0.030225 = 2565.664 → 2565.66; the last row 2527.75 +
#     2527.75 × 0.015 (37.91625 → 37.92) = 2565.67. Totals 75.27 × k + 2565.66 + 2565.67.
#   reinstallment-3: A = 75.2721 × 1.045678375 / 0.045678375 = 1723.1438 → 1723.14, last 1723.15
#   reinstallment-6: A = 75.2721 × 1.093443264 / 0.093443264 = 880.8101 → 880.81 (6 × 880.81)
#   reinstallment-12/24/36/60: A = 460.063 / 250.526 / 181.418 / 127.428 → 460.06 (last 460.11),
#     250.53, 181.42, 127.43
#   interest_freeze-n: round(5018.14 / n) each, the last takes the remainder:
#     3: 1672.713 → 1672.71 ×2, last 1672.72;  6: 836.357 → 836.36 ×5, last 836.34;
#     12: 418.178 → 418.18 ×11, last 418.16;  24: 209.089 → 209.09 ×23, last 209.07;
#     36: 139.393 → 139.39 ×35, last 5018.14 − 4878.65 = 139.49;  60: 83.636 → 83.64 ×59, last 83.38
#   pay_overdue_now: 5093.17 today, no waivers, nothing left of the original schedule (term 0).
#   settle_now: B0 − 0 × 110.69 = 5018.14.
# Affordable: max payment ≤ 900.00. Compliant: every term ≤ 60, every APR ≈ 0.18 ≤ 0.24.
DEFAULT_TABLE = table("""
id                  term  first    max      payable  cost     w.pen  w.int  apr       afford  compl
pay_overdue_now     0     5093.17  5093.17  5093.17  185.72   0.00   0.00   -         no      yes
settle_now          0     5018.14  5018.14  5018.14  110.69   75.03  0.00   -         no      yes
deferral-1          3     75.27    2565.67  5206.60  299.15   75.03  0.00   0.179999  no      yes
deferral-2          4     75.27    2565.67  5281.87  374.42   75.03  0.00   0.179998  no      yes
deferral-3          5     75.27    2565.67  5357.14  449.69   75.03  0.00   0.179997  no      yes
reinstallment-3     3     1723.14  1723.15  5169.43  261.98   75.03  0.00   0.179998  no      yes
reinstallment-6     6     880.81   880.81   5284.86  377.41   75.03  0.00   0.180000  yes     yes
reinstallment-12    12    460.06   460.11   5520.77  613.32   75.03  0.00   0.180003  yes     yes
reinstallment-24    24    250.53   250.53   6012.62  1105.17  75.03  0.00   0.180002  yes     yes
reinstallment-36    36    181.42   181.42   6530.97  1623.52  75.03  0.00   0.179996  yes     yes
reinstallment-60    60    127.43   127.43   7645.53  2738.08  75.03  0.00   0.179998  yes     yes
interest_freeze-3   3     1672.71  1672.72  5018.14  110.69   75.03  0.00   0.000000  no      yes
interest_freeze-6   6     836.36   836.36   5018.14  110.69   75.03  0.00   0.000000  yes     yes
interest_freeze-12  12    418.18   418.18   5018.14  110.69   75.03  0.00   0.000000  yes     yes
interest_freeze-24  24    209.09   209.09   5018.14  110.69   75.03  0.00   0.000000  yes     yes
interest_freeze-36  36    139.39   139.49   5018.14  110.69   75.03  0.00   0.000000  yes     yes
interest_freeze-60  60    83.64    83.64    5018.14  110.69   75.03  0.00   0.000000  yes     yes
capacity_plan-6     6     880.81   880.81   5284.86  377.41   75.03  0.00   0.180000  yes     yes
""")


def test_case_study_b0_is_the_payoff_less_the_whole_penalty():
    """B0 = payoff 5093.17 − penalty waiver round(1 × 75.03) − interest waiver round(0 × 110.69)
    = 5018.14; every plan's first opening balance is B0."""
    result = options_on_2026_06_20()

    assert money(result.position.summary.payoff_amount) == "5093.17"
    assert money(result.balance) == "5018.14"
    plans = [o for o in result.options if o.schedule is not None]
    assert {money(o.schedule.installments[0].opening_principal) for o in plans} == {"5018.14"}


def test_case_study_with_capacity_900_recommends_reinstallment_6():
    """Capacity 900.00: the affordable compliant options are reinstallment-6/12/24/36/60,
    capacity_plan-6 and interest_freeze-6..60. Freezes only count when nothing else fits; the
    lowest total cost is 377.41, a tie of reinstallment-6 and capacity_plan-6 (same plan, same
    term 6), broken by the earlier kind: reinstallment-6 (SPEC §10)."""
    result = options_on_2026_06_20()

    assert [figures(o) for o in result.options] == DEFAULT_TABLE
    assert result.recommended == "reinstallment-6"


def test_reinstallment_6_pays_880_81_a_month_for_six_months():
    """A = 5018.14 × 0.015 × 1.015^6 / (1.015^6 − 1); 1.015^6 = 1.093443264, so
    A = 75.2721 × 1.093443264 / 0.093443264 = 880.8101 → 880.81. Rows (interest = opening ×
    0.015, half-up; principal = 880.81 − interest):

        07-20  5018.14 × 0.015 = 75.2721  → 75.27  principal 805.54  closing 4212.60
        08-20  4212.60 × 0.015 = 63.189   → 63.19  principal 817.62  closing 3394.98
        09-20  3394.98 × 0.015 = 50.9247  → 50.92  principal 829.89  closing 2565.09
        10-20  2565.09 × 0.015 = 38.47635 → 38.48  principal 842.33  closing 1722.76
        11-20  1722.76 × 0.015 = 25.8414  → 25.84  principal 854.97  closing  867.79
        12-20   867.79 × 0.015 = 13.01685 → 13.02  principal 867.79  closing    0.00 (880.81)

    Total 6 × 880.81 = 5284.86; cost 5284.86 − 4907.45 = 377.41.
    """
    option = by_id(options_on_2026_06_20())["reinstallment-6"]

    assert str(pmt_cents(Decimal("5018.14"), Decimal("0.015"), 6)) == "880.81"
    assert rows_of(option) == [
        ("2026-07-20", "805.54", "75.27", "4212.60"),
        ("2026-08-20", "817.62", "63.19", "3394.98"),
        ("2026-09-20", "829.89", "50.92", "2565.09"),
        ("2026-10-20", "842.33", "38.48", "1722.76"),
        ("2026-11-20", "854.97", "25.84", "867.79"),
        ("2026-12-20", "867.79", "13.02", "0.00"),
    ]
    assert {money(r.payment) for r in option.schedule.installments} == {"880.81"}
    assert (money(option.total_payable), money(option.total_cost)) == ("5284.86", "377.41")


def test_deferral_3_pays_interest_only_for_three_months_then_two_installments():
    """deferral-3: 2 unpaid + 3 = 5 rows; 3 × 75.27 interest only, then A(2) = 2565.66 with
    principal 2565.66 − 75.27 = 2490.39 (closing 2527.75), and the last 2527.75 + 37.92."""
    option = by_id(options_on_2026_06_20())["deferral-3"]

    assert rows_of(option) == [
        ("2026-07-20", "0.00", "75.27", "5018.14"),
        ("2026-08-20", "0.00", "75.27", "5018.14"),
        ("2026-09-20", "0.00", "75.27", "5018.14"),
        ("2026-10-20", "2490.39", "75.27", "2527.75"),
        ("2026-11-20", "2527.75", "37.92", "0.00"),
    ]


def test_interest_freeze_36_puts_the_remainder_in_the_last_row():
    """5018.14 / 36 = 139.3928 → 139.39 for 35 rows (4878.65), the last 5018.14 − 4878.65 = 139.49;
    no interest, so the total is B0 and the APR 0."""
    option = by_id(options_on_2026_06_20())["interest_freeze-36"]

    principals = [money(r.principal) for r in option.schedule.installments]
    assert principals == ["139.39"] * 35 + ["139.49"]
    assert {money(r.interest) for r in option.schedule.installments} == {"0.00"}


def test_capacity_plan_6_is_the_shortest_term_under_900():
    """Level amounts at 0.015 a month: n = 5: 75.2721 × 1.077284004 / 0.077284004 = 1049.2395
    → 1049.24 > 900.00; n = 6: 880.81 ≤ 900.00, and its last row is 880.81 too. So
    capacity_plan-6, the same plan as reinstallment-6."""
    options = by_id(options_on_2026_06_20())

    assert str(pmt_cents(Decimal("5018.14"), Decimal("0.015"), 5)) == "1049.24"
    assert "capacity_plan-6" in options
    assert rows_of(options["capacity_plan-6"]) == rows_of(options["reinstallment-6"])


def test_every_case_study_plan_matches_the_plain_decimal_computation():
    """Second method: each plan's rows, totals and APR from tests/reference.py."""
    result = options_on_2026_06_20()
    b0, rate = Decimal("5018.14"), Decimal("0.015")
    for option in result.options:
        if option.schedule is None:
            continue
        n = option.term_months
        if option.kind is OptionKind.DEFERRAL:
            expected = equal_installment_rows(b0, rate, n, grace=n - 2)
        elif option.kind is OptionKind.INTEREST_FREEZE:
            expected = interest_free_rows(b0, n)
        else:
            expected = equal_installment_rows(b0, rate, n)
        got = [(r.principal, r.interest) for r in option.schedule.installments]
        assert got == expected, option.id
        payments = [p + i for p, i in expected]
        assert option.total_payable == sum(payments), option.id
        assert option.total_cost == sum(payments) - OUTSTANDING_PRINCIPAL, option.id
        assert option.apr == monthly_apr(b0, payments), option.id


def test_without_capacity_the_cheapest_plan_under_the_old_installment_is_reinstallment_3():
    """No capacity: candidates are the compliant options whose first payment ≤ the original
    installment_amount 2509.07. Out: pay_overdue_now (5093.17), settle_now (5018.14). In, with
    their total cost: deferral-1/2/3 (first 75.27; 299.15, 374.42, 449.69), reinstallment-3
    (1723.14; 261.98), -6 (377.41), -12 (613.32), -24, -36, -60 (more); freezes only as a last
    resort; no capacity_plan. Lowest: reinstallment-3 at 261.98. affordable is null throughout."""
    result = options_on_2026_06_20(capacity=None)

    expected = [(*row[:9], None, row[10]) for row in DEFAULT_TABLE if row[0] != "capacity_plan-6"]
    assert [figures(o) for o in result.options] == expected
    assert result.recommended == "reinstallment-3"


POLICY = RestructuringPolicy(
    max_term_months=24,
    restructure_annual_rate=Decimal("0.12"),
    penalty_waiver=Decimal("0.5"),
    interest_waiver=Decimal("0.25"),
    settlement_discount=Decimal("0.1"),
    rate_cap=Decimal("0.15"),
)

# B0 = 5093.17 − 37.52 − 27.67 = 5027.98 at 0.12 / 12 = 0.01 a month; interest-only 50.2798 → 50.28.
#   deferral: A(2) = 50.2798 × 1.0201 / 0.0201 = 2551.7624 → 2551.76; the second-to-last row's
#     principal 2551.76 − 50.28 = 2501.48, closing 2526.50; last 2526.50 + 25.265 → 25.27 = 2551.77
#   reinstallment-3: A = 50.2798 × 1.030301 / 0.030301 = 1709.6244 → 1709.62, last 1709.64
#   reinstallment-6: A = 50.2798 × 1.061520151 / 0.061520151 = 867.5697 → 867.57 (6 ×)
#   reinstallment-12/24: A = 446.7299 → 446.73 (12 ×); 236.6845 → 236.68, last 236.81
#   interest_freeze: 5027.98 / 3 = 1675.993 → 1675.99 ×2 + 1676.00; / 6 = 837.997 → 838.00 ×5 +
#     837.98; / 12 = 418.998 → 419.00 ×11 + 418.98; / 24 = 209.499 → 209.50 ×23 + 209.48
#   capacity 900.00: n = 5: 50.2798 × 1.05101005 / 0.05101005 = 1035.964 > 900; n = 6: 867.57.
# Terms cut at 24 (no 36, 60); every term ≤ 24 and every APR ≈ 0.12 ≤ 0.15: all compliant.
POLICY_TABLE = table("""
id                  term  first    max      payable  cost    w.pen  w.int  apr       afford  compl
pay_overdue_now     0     5093.17  5093.17  5093.17  185.72  0.00   0.00   -         no      yes
settle_now          0     5019.68  5019.68  5019.68  112.23  37.52  35.97  -         no      yes
deferral-1          3     50.28    2551.77  5153.81  246.36  37.52  27.67  0.120005  no      yes
deferral-2          4     50.28    2551.77  5204.09  296.64  37.52  27.67  0.120004  no      yes
deferral-3          5     50.28    2551.77  5254.37  346.92  37.52  27.67  0.120003  no      yes
reinstallment-3     3     1709.62  1709.64  5128.88  221.43  37.52  27.67  0.120008  no      yes
reinstallment-6     6     867.57   867.57   5205.42  297.97  37.52  27.67  0.120001  yes     yes
reinstallment-12    12    446.73   446.73   5360.76  453.31  37.52  27.67  0.120000  yes     yes
reinstallment-24    24    236.68   236.81   5680.45  773.00  37.52  27.67  0.120001  yes     yes
interest_freeze-3   3     1675.99  1676.00  5027.98  120.53  37.52  27.67  0.000000  no      yes
interest_freeze-6   6     838.00   838.00   5027.98  120.53  37.52  27.67  0.000000  yes     yes
interest_freeze-12  12    419.00   419.00   5027.98  120.53  37.52  27.67  0.000000  yes     yes
interest_freeze-24  24    209.50   209.50   5027.98  120.53  37.52  27.67  0.000000  yes     yes
capacity_plan-6     6     867.57   867.57   5205.42  297.97  37.52  27.67  0.120001  yes     yes
""")


def test_policy_waivers_are_rounded_first_and_form_b0():
    """Penalty waiver 0.5 × 75.03 = 37.515 → 37.52 (half-up); interest waiver 0.25 × 110.69 =
    27.6725 → 27.67. B0 = 5093.17 − 37.52 − 27.67 = 5027.98."""
    result = options_on_2026_06_20(policy=POLICY)

    assert money(result.balance) == "5027.98"
    plans = [o for o in result.options if o.kind is not OptionKind.PAY_OVERDUE_NOW]
    assert {
        (money(o.waived_penalty), money(o.waived_interest))
        for o in plans
        if o.kind is not OptionKind.SETTLE_NOW
    } == {("37.52", "27.67")}
    assert {
        money(o.schedule.installments[0].opening_principal) for o in plans if o.schedule is not None
    } == {"5027.98"}


def test_policy_settle_now_discounts_a_tenth_of_the_interest_left_in_b0():
    """Interest in B0 = overdue interest after its waiver (110.69 − 27.67 = 83.02) + due-today
    interest 0 + accrued interest 0 = 83.02; discount round(0.1 × 83.02 = 8.302) = 8.30.
    settle_now = 5027.98 − 8.30 = 5019.68; waived interest 27.67 + 8.30 = 35.97;
    total cost 5019.68 − 4907.45 = 112.23."""
    settle = by_id(options_on_2026_06_20(policy=POLICY))["settle_now"]

    assert figures(settle) == POLICY_TABLE[1]


def test_policy_cuts_terms_at_24_months_and_flags_compliance():
    """installment_terms [3, 6, 12, 24, 36, 60] cut at max_term_months 24: no 36 or 60. Deferral
    terms 3, 4, 5 ≤ 24; APRs near 0.12 ≤ rate_cap 0.15 (interest_freeze 0): all compliant.
    Capacity 900: the 6-month plan (867.57) fits, the 5-month one (1035.96) does not;
    reinstallment-6 and capacity_plan-6 tie on 297.97, the earlier kind wins."""
    result = options_on_2026_06_20(policy=POLICY)

    assert [figures(o) for o in result.options] == POLICY_TABLE
    assert result.recommended == "reinstallment-6"
    b0, rate = Decimal("5027.98"), Decimal("0.01")
    six = by_id(result)["reinstallment-6"]
    expected = equal_installment_rows(b0, rate, 6)
    assert [(r.principal, r.interest) for r in six.schedule.installments] == expected
    assert six.apr == monthly_apr(b0, [p + i for p, i in expected])


def test_case_study_notes_read_in_english_and_chinese():
    """Notes name the figures of the option they describe: 6 × 880.81, total 5284.86; the
    deferral says interest only first; the freeze says no interest."""
    options = by_id(options_on_2026_06_20())

    assert options["reinstallment-6"].notes == (
        "6 monthly payments of 880.81 CNY / 分6期，每期880.81元",
        "Total to pay 5284.86 CNY / 合计还款5284.86元",
    )
    assert options["deferral-1"].notes == (
        "3 monthly payments: first 75.27, at most 2565.67 CNY / 分3期，首期75.27元，最高2565.67元",
        "Interest only at first, then equal installments / 前几期只还利息（延期还款）",
        "Total to pay 5206.60 CNY / 合计还款5206.60元",
    )
    assert "停息挂账" in " ".join(options["interest_freeze-6"].notes)
    assert options["settle_now"].notes == (
        "Pay 5018.14 CNY today to settle the loan in full / 今日一次性还款5018.14元结清全部欠款",
    )
