from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Area, Committee, Unit


class DirectoryFilterForm(forms.Form):
    """The unit directory's filters, read from the query string."""

    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All areas"),
        error_messages={"invalid_choice": _("Choose one of the areas in the list.")},
    )
    committee = forms.ModelChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All committees"),
        error_messages={"invalid_choice": _("Choose one of the committees in the list.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *Unit.Kind.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the kinds in the list.")},
    )
