"""The agreement fixtures, for the tests of what changes to the organisation do to agreements."""

from tests.agreements.conftest import draft, in_state, period

__all__ = ["draft", "in_state", "period"]
