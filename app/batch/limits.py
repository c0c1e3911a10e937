"""The request bounds of POST /v1/positions (app/api/schemas), mirrored without pydantic.

The batch must refuse exactly what the API refuses, but may not import the API layer; the
engine's own constants are taken from the engine. tests/batch/test_limits.py checks that each
value here equals the API's, so the two cannot drift apart silently.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from app.engine.position import MAX_PAYMENTS as MAX_PAYMENTS

AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]{1,3})?$"
RATE_PATTERN = r"^[0-9]+(\.[0-9]{1,12})?$"
AMOUNT_RE = re.compile(AMOUNT_PATTERN)
RATE_RE = re.compile(RATE_PATTERN)
CURRENCY_PATTERN = r"^[A-Z]{3}$"
CURRENCY_RE = re.compile(CURRENCY_PATTERN)
MAX_STRING = 40  # a money or rate string longer than this fails the pattern check
DIGIT_LIMIT = 20  # integer digits accepted before the bound checks
MAX_PRINCIPAL = Decimal(10) ** 12
MAX_AMOUNT = Decimal(10) ** 15  # a payment
MAX_ANNUAL_RATE = Decimal(10)
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2200, 12, 31)
TERM_MONTHS = (1, 600)
GRACE_MONTHS = (0, 599)
MAX_REFERENCE = 200
