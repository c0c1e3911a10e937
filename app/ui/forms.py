"""The loan form of the collector's page, to and from the API's options request (SPEC §6).

A form is a flat map of strings; the request is the JSON body POST /v1/restructuring/options
takes. The page never interprets figures itself: the request is validated by the API's own
model (OptionsRequest), so the page refuses exactly what the API refuses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.api.schemas.positions import CASE_STUDY_POSITION

# form field -> its default on an empty form
LOAN_FIELDS: dict[str, str] = {
    "currency": "CNY",
    "principal": "",
    "term_months": "",
    "method": "equal_installment",
    "start_date": "",
    "first_due_date": "",
    "rate_kind": "daily_rate",
    "rate": "",
    "day_count": "360",
    "payments": "",
    "as_of": "",
    "capacity": "",
    "penalty_rate_multiplier": "",
    "penalty_base": "overdue_principal",
    "penalty_grace_days": "",
    "allocation_strategy": "installment_first",
    "penalty_waiver": "",
    "interest_waiver": "",
    "restructure_annual_rate": "",
}
METHODS = ("equal_installment", "equal_principal", "interest_only", "bullet", "flat_fee")
_INTEGER = re.compile(r"^[0-9]{1,6}$")


def _integer(value: str) -> int | str:
    # the API's integers are strict: a non-number is passed on as text for it to refuse
    return int(value) if _INTEGER.fullmatch(value) else value


def parse_payments(text: str) -> list[dict[str, str]]:
    """One payment a line: `date amount [reference]`, separated by spaces or commas."""
    payments = []
    for line in text.splitlines():
        parts = line.replace(",", " ").split()
        if not parts:
            continue
        payment = {"date": parts[0], "amount": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2:
            payment["reference"] = " ".join(parts[2:])
        payments.append(payment)
    return payments


def options_request(form: Mapping[str, str]) -> dict[str, Any]:
    """The options request body a filled form stands for (unvalidated)."""
    f = {name: form.get(name, default).strip() for name, default in LOAN_FIELDS.items()}
    loan: dict[str, Any] = {
        "principal": f["principal"],
        "term_months": _integer(f["term_months"]),
        "method": f["method"],
        "start_date": f["start_date"],
        f["rate_kind"] if f["rate_kind"] in ("daily_rate", "annual_rate") else "rate": f["rate"],
    }
    if f["currency"] != "CNY":
        loan["currency"] = f["currency"]
    if f["day_count"] != "360":
        loan["day_count"] = _integer(f["day_count"])
    if f["first_due_date"]:
        loan["first_due_date"] = f["first_due_date"]
    body: dict[str, Any] = {
        "loan": loan,
        "payments": parse_payments(form.get("payments", "")),
        "as_of": f["as_of"],
    }
    if f["capacity"]:
        body["capacity"] = f["capacity"]
    penalty: dict[str, Any] = {}
    if f["penalty_rate_multiplier"]:
        penalty["rate_multiplier"] = f["penalty_rate_multiplier"]
    if f["penalty_base"] != "overdue_principal":
        penalty["base"] = f["penalty_base"]
    if f["penalty_grace_days"]:
        penalty["grace_days"] = _integer(f["penalty_grace_days"])
    if penalty:
        body["penalty"] = penalty
    if f["allocation_strategy"] != "installment_first":
        body["allocation"] = {"strategy": f["allocation_strategy"]}
    policy = {
        name: f[name]
        for name in ("penalty_waiver", "interest_waiver", "restructure_annual_rate")
        if f[name]
    }
    if policy:
        body["policy"] = policy
    return body


def form_of(request: Mapping[str, Any]) -> dict[str, str]:
    """The form that stands for an options (or position) request: the inverse of
    `options_request` for every request the form can express."""
    loan = request["loan"]
    rate_kind = "daily_rate" if "daily_rate" in loan else "annual_rate"
    penalty = request.get("penalty", {})
    policy = request.get("policy", {})
    payments = "\n".join(
        " ".join(filter(None, (p["date"], p["amount"], p.get("reference"))))
        for p in request.get("payments", [])
    )
    return {
        **LOAN_FIELDS,
        "currency": loan.get("currency", "CNY"),
        "principal": loan["principal"],
        "term_months": str(loan["term_months"]),
        "method": loan.get("method", "equal_installment"),
        "start_date": loan["start_date"],
        "first_due_date": loan.get("first_due_date", ""),
        "rate_kind": rate_kind,
        "rate": loan[rate_kind],
        "day_count": str(loan.get("day_count", 360)),
        "payments": payments,
        "as_of": request["as_of"],
        "capacity": request.get("capacity", ""),
        "penalty_rate_multiplier": penalty.get("rate_multiplier", ""),
        "penalty_base": penalty.get("base", "overdue_principal"),
        "penalty_grace_days": str(penalty.get("grace_days", "")),
        "allocation_strategy": request.get("allocation", {}).get("strategy", "installment_first"),
        **{k: policy.get(k, "") for k in ("penalty_waiver", "interest_waiver")},
        "restructure_annual_rate": policy.get("restructure_annual_rate", ""),
    }


CASE_STUDY_REQUEST: dict[str, Any] = {**CASE_STUDY_POSITION, "capacity": "900.00"}
CASE_STUDY_FORM = form_of(CASE_STUDY_REQUEST)
