"""The agreement fixtures, for onboarding and merging, which start and renew agreements."""

from tests.agreements.conftest import draft, in_state, period

__all__ = ["draft", "in_state", "period"]
