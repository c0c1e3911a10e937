"""/v1/agreements/{id}/document (SPEC §13): the optional party details, and the canonical JSON.

Names and ID numbers are typed in for one rendering and never stored or logged (SPEC §7, §13):
they are bounded and may hold no control characters, so they cannot break the layout or a log
line even if something printed them.
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field

from app.api.schemas.agreements import AgreementResponse
from app.api.schemas.common import RequestModel
from app.documents import Parties
from app.services.agreement_views import AgreementView

# printable text: no C0/C1 control characters (tabs and newlines included), not blank
_TEXT = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=_TEXT, examples=["张三"])]
Address = Annotated[
    str, Field(min_length=1, max_length=200, pattern=_TEXT, examples=["北京市西城区金融大街1号"])
]
# 居民身份证号 (18 characters) or another document's number: letters, digits, hyphens
IdNumber = Annotated[
    str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z-]{0,31}$", examples=["110101199001011234"])
]


class LenderIn(RequestModel):
    name: Name | None = Field(None, description="The lender's name (甲方)")
    address: Address | None = Field(None, description="The lender's registered address (住所)")


class BorrowerIn(RequestModel):
    name: Name | None = Field(None, description="The borrower's name (乙方); never stored")
    id_number: IdNumber | None = Field(
        None, description="The borrower's ID-card or passport number (证件号码); never stored"
    )


class DocumentRequest(RequestModel):
    """Party details to print in the document; all optional, none stored or logged."""

    lender: LenderIn = LenderIn()
    borrower: BorrowerIn = BorrowerIn()

    model_config = RequestModel.model_config | {
        "json_schema_extra": {
            "examples": [
                {
                    "lender": {
                        "name": "示例消费金融有限公司",
                        "address": "北京市西城区金融大街1号",
                    },
                    "borrower": {"name": "张三", "id_number": "110101199001011234"},
                }
            ]
        }
    }

    def to_parties(self) -> Parties:
        return Parties(
            lender_name=self.lender.name,
            lender_address=self.lender.address,
            borrower_name=self.borrower.name,
            borrower_id_number=self.borrower.id_number,
        )


def canonical_json(view: AgreementView) -> bytes:
    """The agreement's canonical JSON: the GET /v1/agreements/{id} body without `standing`
    (which changes with the day, not with the agreement), keys sorted at every level, no
    whitespace, UTF-8 (non-ASCII as itself, not escaped). Its SHA-256 is printed in the
    document and the bytes are attached to the PDF."""
    body = AgreementResponse.from_view(view).model_dump(mode="json", exclude={"standing"})
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")
