"""Unit A's agreements (from tests/agreements) for the audit and access tests."""

from tests.agreements.conftest import draft, in_state, period, points, signed

__all__ = ["draft", "in_state", "period", "points", "signed"]
