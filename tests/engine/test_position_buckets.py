"""Days-past-due buckets (逾期账龄) and the five-category classification (五级分类), SPEC §5.

Buckets: M0 current, M1 1-30, M2 31-60, M3 61-90, M4 91-120, M5 121-150, M6 151-180, M7+ beyond.
Classes: normal 0, special_mention 1-90, substandard 91-270, doubtful 271-360, loss over 360.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.engine.position import classification, days_past_due_bucket, position_as_of
from tests.engine.position_cases import contract, d

BUCKETS = [
    (0, "M0"),
    (1, "M1"),
    (30, "M1"),
    (31, "M2"),
    (60, "M2"),
    (61, "M3"),
    (90, "M3"),
    (91, "M4"),
    (120, "M4"),
    (121, "M5"),
    (150, "M5"),
    (151, "M6"),
    (180, "M6"),
    (181, "M7+"),
    (270, "M7+"),
    (361, "M7+"),
    (3650, "M7+"),
]
CLASSES = [
    (0, "normal"),
    (1, "special_mention"),
    (30, "special_mention"),
    (90, "special_mention"),
    (91, "substandard"),
    (180, "substandard"),
    (270, "substandard"),
    (271, "doubtful"),
    (360, "doubtful"),
    (361, "loss"),
    (3650, "loss"),
]


@pytest.mark.parametrize(("days", "bucket"), BUCKETS)
def test_bucket_boundaries(days, bucket):
    assert days_past_due_bucket(days) == bucket


@pytest.mark.parametrize(("days", "label"), CLASSES)
def test_classification_boundaries(days, label):
    assert classification(days) == label


@pytest.mark.parametrize(
    ("days", "bucket", "label"),
    [
        (0, "M0", "normal"),
        (1, "M1", "special_mention"),
        (30, "M1", "special_mention"),
        (31, "M2", "special_mention"),
        (60, "M2", "special_mention"),
        (61, "M3", "special_mention"),
        (90, "M3", "special_mention"),
        (91, "M4", "substandard"),
        (180, "M6", "substandard"),
        (181, "M7+", "substandard"),
        (270, "M7+", "substandard"),
        (271, "M7+", "doubtful"),
        (360, "M7+", "doubtful"),
        (361, "M7+", "loss"),
    ],
)
def test_position_reports_bucket_and_class_of_its_days_past_due(days, bucket, label):
    """One installment of 1,000.00 due 2026-01-01, never paid, seen `days` after its due date:
    days_past_due = as_of - due_date (0 on the due date itself, when it is due_today)."""
    loan = contract(
        [("2026-01-01", "1000.00", "10.00")], start_date="2025-12-01", daily_rate="0.0005"
    )

    summary = position_as_of(loan, [], d("2026-01-01") + timedelta(days=days)).summary

    assert (summary.days_past_due, summary.bucket, summary.classification) == (days, bucket, label)
