"""The agreements' fixtures (a period with follow-up points, unit A's agreement in any state)."""

from tests.agreements.conftest import in_state, period, points, signed

__all__ = ["in_state", "period", "points", "signed"]
