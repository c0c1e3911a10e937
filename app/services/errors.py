"""Business errors of the services; `app/api/problems.py` maps each to a problem+json status.

    ServiceError
    ├── InvalidApiKey             missing, unknown or revoked key        (401)
    ├── AgreementNotFound         unknown id, or another tenant's        (404)
    │   └── PaymentNotFound           no payment with this reference
    ├── IllegalTransition         the action is not allowed from status  (409)
    ├── PaymentReferenceConflict  a reference reused with other content  (409)
    │   └── ReversalConflict          a payment reversed again, otherwise
    ├── IdempotencyKeyInProgress  the first request with the key runs    (409)
    ├── VersionMismatch           If-Match is not the current ETag        (412)
    └── InvalidRequest            well-formed but refused (field, reason) (422)
        ├── OptionNotOffered          option_id not among the options
        ├── InvalidPayment            amount or date the agreement cannot take
        ├── InvalidCursor             a cursor this service did not issue
        ├── AmountBeyondStorage       more minor units than a BIGINT holds
        └── IdempotencyKeyReused      the key was used with another body

There are no HTTP codes here.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a service raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidApiKey(ServiceError):
    pass


class AgreementNotFound(ServiceError):
    def __init__(self, agreement_id: str) -> None:
        # the id is not echoed: it is whatever the client put in the path
        super().__init__("no agreement with this id for this API key's tenant")
        self.agreement_id = agreement_id


class PaymentNotFound(AgreementNotFound):
    def __init__(self, agreement_id: str) -> None:
        super().__init__(agreement_id)
        self.detail = "no payment with this reference on this agreement"
        self.args = (self.detail,)


class IllegalTransition(ServiceError):
    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"cannot {action} an agreement that is {status}")
        self.action = action
        self.status = status


class PaymentReferenceConflict(ServiceError):
    def __init__(self, reference: str) -> None:
        super().__init__(
            f"payment reference {reference!r} was already recorded with another date or amount"
        )


class ReversalConflict(PaymentReferenceConflict):
    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.detail = f"payment {reference!r} was already reversed with another date or reason"
        self.args = (self.detail,)


class IdempotencyKeyInProgress(ServiceError):
    def __init__(self) -> None:
        super().__init__("a request with this Idempotency-Key is still in progress; retry later")


class VersionMismatch(ServiceError):
    def __init__(self, current_version: int) -> None:
        super().__init__(
            f"If-Match does not match the agreement's current version {current_version}"
        )
        self.current_version = current_version


class InvalidRequest(ServiceError):
    """A well-formed request the service refuses; `loc` names the offending field."""

    def __init__(self, loc: tuple[str, ...], reason: str) -> None:
        super().__init__(f"{'.'.join(loc[1:]) or loc[0]}: {reason}")
        self.loc = loc
        self.reason = reason


class OptionNotOffered(InvalidRequest):
    def __init__(self, option_id: str, offered: list[str]) -> None:
        listed = ", ".join(offered) or "none"
        super().__init__(
            ("body", "option_id"),
            f"the options request does not produce this option_id (it offers: {listed})",
        )


class InvalidPayment(InvalidRequest):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(("body", field), reason)


class InvalidCursor(InvalidRequest):
    def __init__(self) -> None:
        super().__init__(("query", "cursor"), "not a cursor this service issued")


class AmountBeyondStorage(InvalidRequest):
    def __init__(self, loc: tuple[str, ...], what: str) -> None:
        super().__init__(loc, f"{what} is more than the store holds (2^63 - 1 minor units)")


class IdempotencyKeyReused(InvalidRequest):
    def __init__(self) -> None:
        super().__init__(
            ("header", "Idempotency-Key"),
            "this Idempotency-Key was already used with a different request body",
        )
