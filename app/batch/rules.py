"""The --rules file: `{"penalty": {...}, "allocation": {...}}` (SPEC §5) for the whole portfolio.

Read once, checked as POST /v1/positions checks its `penalty` and `allocation` (app/api/schemas
/positions.py, mirrored: strings for rates, no unknown keys, grace_days 0-3650, at most 10 for
rates and multipliers, the four components once each). A bad file refuses the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.batch import limits
from app.batch.refusals import RunRefused
from app.engine.allocation import AllocationRule, Strategy
from app.engine.ledger import Component
from app.engine.penalty import PenaltyBase, PenaltyRule

_PENALTY_KEYS = {
    "rate_multiplier",
    "daily_rate",
    "base",
    "compound",
    "grace_days",
    "cap_annual_rate",
}
_ALLOCATION_KEYS = {"order", "strategy"}


@dataclass(frozen=True, slots=True)
class Rules:
    penalty: PenaltyRule = field(default_factory=PenaltyRule)
    allocation: AllocationRule = field(default_factory=AllocationRule)


def load_rules(path: Path | None) -> Rules:
    if path is None:
        return Rules()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise RunRefused(f"--rules {path}: cannot read it as JSON ({error})") from None
    return rules_of(document)


def rules_of(document: Any) -> Rules:
    """The rules of a parsed document, or RunRefused naming what is wrong."""
    if not isinstance(document, dict) or set(document) - {"penalty", "allocation"}:
        raise RunRefused('--rules: expected {"penalty": {...}, "allocation": {...}} only')
    return Rules(
        _penalty(_section(document, "penalty", _PENALTY_KEYS)),
        _allocation(_section(document, "allocation", _ALLOCATION_KEYS)),
    )


def _section(document: dict[str, Any], name: str, keys: set[str]) -> dict[str, Any]:
    section = document.get(name, {})
    if not isinstance(section, dict):
        raise RunRefused(f"--rules: {name} must be an object")
    unknown = sorted(set(section) - keys)
    if unknown:
        raise RunRefused(f"--rules: {name}.{unknown[0]}: Extra inputs are not permitted")
    return section


def _rate(section: dict[str, Any], name: str) -> Decimal | None:
    value = section.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limits.MAX_STRING:
        raise RunRefused(f'--rules: penalty.{name}: send the rate as a string, e.g. "0.0005"')
    if not limits.RATE_RE.fullmatch(value) or len(value.split(".")[0]) > limits.DIGIT_LIMIT:
        raise RunRefused(f"--rules: penalty.{name}: the rate must match {limits.RATE_PATTERN}")
    return Decimal(value)


def _penalty(section: dict[str, Any]) -> PenaltyRule:
    multiplier = _rate(section, "rate_multiplier")
    daily_rate = _rate(section, "daily_rate")
    cap = _rate(section, "cap_annual_rate")
    try:
        base = PenaltyBase(section.get("base", PenaltyBase.OVERDUE_PRINCIPAL))
    except ValueError:
        raise RunRefused("--rules: penalty.base: overdue_principal or overdue_amount") from None
    compound = section.get("compound", False)
    grace_days = section.get("grace_days", 0)
    if not isinstance(compound, bool):
        raise RunRefused("--rules: penalty.compound: true or false")
    if (
        isinstance(grace_days, bool)
        or not isinstance(grace_days, int)
        or not 0 <= grace_days <= 3650
    ):
        raise RunRefused("--rules: penalty.grace_days: a whole number from 0 to 3650")
    if multiplier is not None and daily_rate is not None:
        raise RunRefused("--rules: penalty: give at most one of rate_multiplier or daily_rate")
    if any(v is not None and v > limits.MAX_ANNUAL_RATE for v in (multiplier, cap)):
        raise RunRefused("--rules: penalty: penalty rates and multipliers may be at most 10")
    if daily_rate is not None and daily_rate * 360 > limits.MAX_ANNUAL_RATE:
        raise RunRefused("--rules: penalty: the penalty daily_rate is above 1000 % a year")
    return PenaltyRule(
        rate_multiplier=None if daily_rate is not None else (multiplier or Decimal("1.5")),
        daily_rate=daily_rate,
        base=base,
        compound=compound,
        grace_days=grace_days,
        cap_annual_rate=cap,
    )


def _allocation(section: dict[str, Any]) -> AllocationRule:
    default = AllocationRule()
    order = section.get("order", [c.value for c in default.order])
    try:
        components = tuple(Component(c) for c in order)
        strategy = Strategy(section.get("strategy", default.strategy))
    except (TypeError, ValueError):
        raise RunRefused("--rules: allocation: unknown component or strategy") from None
    if len(components) != 4 or len(set(components)) != 4:
        raise RunRefused(
            "--rules: allocation.order must name each of penalty, fee, interest, principal once"
        )
    return AllocationRule(components, strategy)
