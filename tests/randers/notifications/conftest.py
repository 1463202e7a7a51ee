"""The agreements of unit A in each state, for the notifications they give."""

from tests.agreements.conftest import draft, in_state, period, points, signed

__all__ = ["draft", "in_state", "period", "points", "signed"]
