"""What the template shows: plain frozen dataclasses of strings, formatted before rendering.

Every amount here is already the string the JSON API prints (format_amount), so the HTML and
the PDF cannot format a figure differently from the API or from each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


def utc_timestamp(moment: datetime) -> str:
    """A timestamp as the JSON API prints it: UTC, `Z`, microseconds only when there are some."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Parties:
    """Names and ID numbers typed in for one rendering (POST); never stored or logged."""

    lender_name: str | None = None
    lender_address: str | None = None
    borrower_name: str | None = None
    borrower_id_number: str | None = None


@dataclass(frozen=True, slots=True)
class DebtLine:
    """One component of the debt as of the restructuring date (债务构成)."""

    label_zh: str
    label_en: str
    amount: str


@dataclass(frozen=True, slots=True)
class PlanRow:
    number: int
    due_date: str
    principal: str
    interest: str
    fee: str
    payment: str


@dataclass(frozen=True, slots=True)
class AgreementDocument:
    # particulars (协议信息)
    agreement_id: str
    loan_ref: str
    borrower_ref: str
    status: str
    version: int
    canonical_json: bytes
    canonical_sha256: str
    created_at: datetime
    updated_at: datetime
    # the debt (债务) as of the restructuring date
    currency: str
    restructured_on: str
    debt_lines: tuple[DebtLine, ...]
    debt_total: str
    waived_penalty: str
    waived_interest: str
    balance_after_waivers: str
    # the plan (还款计划)
    kind: str
    option_id: str
    plan: tuple[PlanRow, ...]
    total_principal: str
    total_interest: str
    total_fee: str
    total_payable: str
    plan_annual_rate: str | None
    apr: str | None  # as the API prints it (6 digits), null for a single payment
    apr_percent: str | None
    breach_after_days: int
    # consent (借款人确认): both or neither
    accepted_channel: str | None
    accepted_at: str | None
    parties: Parties

    @property
    def updated_at_text(self) -> str:
        return utc_timestamp(self.updated_at)

    @property
    def installment_count(self) -> int:
        return len(self.plan)

    @property
    def first_due_date(self) -> str:
        return self.plan[0].due_date

    @property
    def last_due_date(self) -> str:
        return self.plan[-1].due_date
