"""Choice labels (`randers.choices.ChoiceLabels`): the same labels as Django's own, in the
language of the request, on every model of ours with a field of choices."""

from typing import Any

from django.apps import apps
from django.db.models import Field, Model
from django.utils import translation

from randers.choices import ChoiceLabels
from units.models import Unit

OUR_APPS = {"agreements", "goals", "units", "accounts", "audit", "jobs", "notifications"}


def _fields_with_choices() -> "list[tuple[type[Model], Field[Any, Any]]]":
    return [
        (model, field)
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for field in model._meta.concrete_fields
        if field.choices
    ]


def test_every_model_with_choices_uses_choice_labels() -> None:
    found = _fields_with_choices()
    assert len(found) > 30
    assert [model for model, _field in found if not issubclass(model, ChoiceLabels)] == []


def test_the_labels_are_djangos_in_the_active_language() -> None:
    for model, field in _fields_with_choices():
        for value, label in field.flatchoices:
            instance = model(**{field.attname: value})
            for language in ("da", "en"):
                with translation.override(language):
                    shown = getattr(instance, f"get_{field.name}_display")()
                    assert shown == str(label), (model, field.name, value, language)
                    assert isinstance(shown, str)


def test_a_value_without_a_choice_is_shown_as_it_is() -> None:
    assert Unit(kind="no-such-kind").get_kind_display() == "no-such-kind"
    with translation.override("da"):
        school = Unit(kind=Unit.Kind.SCHOOL).get_kind_display()
    with translation.override("en"):
        assert Unit(kind=Unit.Kind.SCHOOL).get_kind_display() != school
