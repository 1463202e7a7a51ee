"""The world of objects the permission matrix and the form fuzzing probe (matrix_world.py)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tests.randers.matrix_world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The objects, built once for the module inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
