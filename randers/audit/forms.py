from typing import Any

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import AccessEvent, AuditEvent
from .tracked import TRACKED

OBJECT_KEY_LENGTH = 120


def model_name(label: str) -> str:
    """The model's Danish (or English) name, for a label like "agreements.agreement"."""
    app_label, _dot, model = label.partition(".")
    try:
        return str(apps.get_model(app_label, model)._meta.verbose_name).capitalize()
    except LookupError:
        return label


def _object_key(value: str) -> str:
    """ "app.model:pk", as the links from objects' pages give it."""
    label, colon, pk = value.partition(":")
    if not colon or not pk.isdigit() or "." not in label or len(value) > OBJECT_KEY_LENGTH:
        raise ValidationError(_("Not an object of the log."), code="invalid")
    return value


class _LogFilter(forms.Form):
    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=150,
        help_text=_("Name, username or e-mail, or part of it."),
    )
    object = forms.CharField(
        label=_("Object"), required=False, max_length=OBJECT_KEY_LENGTH, widget=forms.HiddenInput
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_object(self) -> str:
        value: str = self.cleaned_data["object"]
        return _object_key(value) if value else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned


class AuditFilterForm(_LogFilter):
    request = forms.UUIDField(required=False, widget=forms.HiddenInput)
    model = forms.ChoiceField(label=_("Object type"), required=False)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All")), *AuditEvent.Action.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = sorted((model_name(label), label) for label in TRACKED)
        model_field = self.fields["model"]
        assert isinstance(model_field, forms.ChoiceField)
        model_field.choices = [("", _("All")), *((label, n) for n, label in names)]


class AccessFilterForm(_LogFilter):
    subject = forms.UUIDField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("What was read"),
        required=False,
        choices=[("", _("All")), *AccessEvent.Kind.choices],
    )
