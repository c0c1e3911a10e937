"""Certified annualized rates (SPEC §3, §11): a guess proposes, an exact sign check decides.

A rate is reported with 6 digits, half-up: the value j·10^−6 stands for the roots in
[(j − ½)·10^−6, (j + ½)·10^−6), the ties belonging to the value further from 0. For flows whose
signs change once the NPV has exactly one root, positive NPV on one side and negative on the
other, so the exact sign of the NPV at a tie tells on which side of it the root lies. The
proposal (rate_proposal) names a j; the signs at its two ties confirm it (the certificate:
opposite signs, or an exact 0 on a tie), or show the direction to walk, by doubling steps and
then bisection over the ties, until two adjacent ties bracket the root. Every step is exact, so
the answer is the root's true half-up rounding whatever the proposal; None only where the XIRR
interval cannot tell a sign (the caller's exact Decimal solver then decides).

The same walk and signs, at one fixed precision, are compiled in `_kernels` (setup.py): it is
asked first and answers the rates a loan has (0 to 100 % a period, amounts below 2^61) in a few
microseconds; where it cannot certify (None), or where it was not built, the Python below runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from app.engine.compiled import KERNEL
from app.engine.rate_bounds import DailyFlows, daily_sign, monthly_sign, runs_of
from app.engine.rate_proposal import Proposal, daily_rate, monthly_rate

_HALF_MICRO = 2_000_000  # ties sit at odd multiples of 1 / (2·10^6)
_MAX_PROBES = 200
_BITS = (64, 256)  # fixed-point precision of the XIRR signs: the second for NPVs near 0

# side(k): +1 when the root lies above the tie k / (2·10^6), −1 below, 0 on it, None unknown
Side = Callable[[int], int | None]


def reported(micro: int) -> Decimal:
    """j·10^−6 as the 6-digit Decimal it prints as ("0.196512"; 0 is "0.000000", never
    negative), read from its exact string: no decimal context is involved."""
    return Decimal(f"{micro}e-6")


def _locate(side: Side, start: int) -> int | None:
    """The j whose ties bracket the root, searching from j = `start` (see the module)."""
    probes = 0

    def probe(k: int) -> int | None:
        nonlocal probes
        probes += 1
        return None if probes > _MAX_PROBES else side(k)

    def on_tie(k: int) -> int:  # a root exactly on a tie rounds away from 0
        return (k + 1) // 2 if k > 0 else (k - 1) // 2

    k = 2 * start - 1  # the lower tie of j = start
    where = probe(k)
    if where is None:
        return None
    if where == 0:
        return on_tie(k)
    below, above = (k, None) if where > 0 else (None, k)  # ties known below/above the root
    step = 2
    while below is None or above is None:
        k = (below + step) if above is None else (above - step)  # type: ignore[operator]
        where = probe(k)
        if where is None:
            return None
        if where == 0:
            return on_tie(k)
        if where > 0:
            below = k
        else:
            above = k
        step *= 2
    while above - below > 2:
        middle = below + ((above - below) // 4) * 2  # an odd k strictly between
        where = probe(middle)
        if where is None:
            return None
        if where == 0:
            return on_tie(middle)
        if where > 0:
            below = middle
        else:
            above = middle
    return (below + 1) // 2


def _side(sign_at: Callable[[int, int], int | None], first: int, periods: int) -> Side:
    """Where the root lies from the NPV's sign at a tie: above the root the NPV has the sign of
    the earliest flow (discounting weighs it most), below the root the opposite one.

    `sign_at(n, d)` signs the NPV at the growth n/d per period; a year holds `periods` of them
    (12 for apr), so the tie k/(2·10^6) a year is 1 + k/(2·10^6·periods) per period. A growth
    of 0 or less (−100 % a period) lies below every root.
    """
    first_sign = 1 if first > 0 else -1
    d = _HALF_MICRO * periods

    def side(k: int) -> int | None:
        n = d + k
        if n <= 0:
            return 1
        sign = sign_at(n, d)
        return None if sign is None else -sign * first_sign

    return side


def _start(proposal: Proposal | None, hint: Decimal | None) -> int:
    if proposal is not None and abs(proposal) < 1e12:  # past that (or inf), start elsewhere
        return round(proposal * 1_000_000)
    if hint is not None:
        return int((hint * 1_000_000).to_integral_value())
    return 0


def apr(amounts: Sequence[int], guess: Proposal, hint: Decimal | None = None) -> Decimal | None:
    """The monthly IRR × 12 of `amounts` at months 0, 1, 2, … (one sign change), 6 digits."""
    if sum(amounts) == 0:  # the NPV at rate 0 is the sum: 0 is the (only) root, exactly
        return reported(0)
    if KERNEL is not None:
        micro = KERNEL.certified_micro(None, amounts, 12, 0, guess)
        if micro is not None:
            return reported(micro)
    runs = runs_of(amounts)
    proposal = monthly_rate(runs, guess)
    side = _side(lambda n, d: monthly_sign(runs, n, d), runs[0][2], 12)
    annual = None if proposal is None else proposal * 12
    micro = _locate(side, _start(annual, hint))
    return None if micro is None else reported(micro)


def xirr(
    flows: Sequence[tuple[int, int]],
    guess: Proposal,
    hint: Decimal | None = None,
    settled: Proposal = 1e-11,
) -> Decimal | None:
    """Spreadsheet XIRR of (day, amount) flows in day order (one sign change), 6 digits;
    `settled`: how close the proposal's Newton steps go (see rate_proposal.daily_rate)."""
    if KERNEL is not None and flows:
        days, amounts = zip(*flows, strict=True)
        micro = KERNEL.certified_micro(days, amounts, 1, 365, guess)
        if micro is not None:
            return reported(micro)
    return _python_xirr(flows, guess, hint, settled)


def loan_rates(
    rows: Sequence[Sequence[object]], months: int, guess: Proposal
) -> tuple[Decimal, Decimal] | None:
    """A schedule's (apr, XIRR) certified in one kernel call from its rows (`_kernels.c`'s
    loan_rates: the same flows as schedule._rates builds), or None: no kernel, or flows it does
    not certify; the caller then builds the flows and asks `apr` and `xirr`."""
    if KERNEL is None:
        return None
    micros = KERNEL.loan_rates(rows, months, guess)
    if micros is None:
        return None
    return reported(micros[0]), reported(micros[1])


def dated_xirr(days: Sequence[int], amounts: Sequence[int], guess: Proposal) -> Decimal | None:
    """`xirr` of flows given as two sequences (a schedule has them so): the kernel reads them
    as they are, without pairing 360 flows first."""
    if KERNEL is not None:
        micro = KERNEL.certified_micro(days, amounts, 1, 365, guess)
        if micro is not None:
            return reported(micro)
    return _python_xirr(list(zip(days, amounts, strict=True)), guess, None, 1e-5)


def _python_xirr(
    flows: Sequence[tuple[int, int]], guess: Proposal, hint: Decimal | None, settled: Proposal
) -> Decimal | None:
    nonzero = [flow for flow in flows if flow[1]]
    if sum([amount for _, amount in nonzero]) == 0:  # as for apr: rate 0 exactly
        return reported(0)
    proposal = daily_rate(nonzero, guess, settled)
    if all(day % 365 == 0 for day, _ in nonzero):
        # whole years: the NPV is a polynomial in 1 + r, signed exactly (ties included)
        yearly = [0] * (nonzero[-1][0] // 365 + 1)
        for day, amount in nonzero:
            yearly[day // 365] += amount
        runs = runs_of(yearly)
        side = _side(lambda n, d: monthly_sign(runs, n, d), runs[0][2], 1)
        micro = _locate(side, _start(proposal, hint))
        return None if micro is None else reported(micro)

    prepared = DailyFlows(nonzero)

    def sign_at(n: int, d: int) -> int | None:
        for bits in _BITS:
            sign = daily_sign(prepared, n, d, bits)
            if sign is not None:
                return sign
        return None

    micro = _locate(_side(sign_at, nonzero[0][1], 1), _start(proposal, hint))
    return None if micro is None else reported(micro)
