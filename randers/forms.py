"""Form rendering in the markup of Det Fælles Designsystem (DKFDS).

Every form of the project renders its fields through `templates/components/forms/`, so labels,
hints, error messages and their ARIA links are the same everywhere.
"""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.renderers import TemplatesSetting

_WIDGET_CLASSES = {
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
    forms.Textarea: "form-input",
    forms.CheckboxInput: "form-checkbox",
    forms.CheckboxSelectMultiple: "form-checkbox",  # before RadioSelect, its base class
    forms.RadioSelect: "form-radio",
    forms.ClearableFileInput: "form-file-input",
}


class BoundField(forms.BoundField):
    """Adds the DKFDS class of the widget and links error messages with aria-describedby."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = next(
            (css for cls, css in _WIDGET_CLASSES.items() if isinstance(widget, cls)), "form-input"
        )
        attrs["class"] = f"{css} {attrs.get('class', '')}".strip()
        if self.errors and self.auto_id:
            described = attrs.get("aria-describedby", "")
            attrs["aria-describedby"] = f"{described} {self.auto_id}_error".strip()
        return attrs


class FormRenderer(TemplatesSetting):
    form_template_name = "components/forms/form.html"
    field_template_name = "components/forms/field.html"
    bound_field_class = BoundField


class _ListedIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):  # type: ignore[no-untyped-def]
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # the queryset's own cache, not a fresh server-side cursor
            yield self.choice(obj)


class ListedChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice among a short list (periods, areas, committees) read in one query per form.

    Django's ModelChoiceField reads the list for the options and looks the chosen value up in
    another query; this one reads the list once and finds the chosen value in it.
    """

    iterator = _ListedIterator

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        for obj in self.queryset or ():
            if str(getattr(obj, key)) == str(value):
                return obj
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class LoginForm(AuthenticationForm):
    """Django's login form, refusing a username longer than any username before it is tried:
    Django sets the field's max_length only after the field is built, so without this a long
    username reached the authentication backends (and django-axes' record of failures, whose
    column it overflowed)."""

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if len(username) > (self.username_field.max_length or 150):
            raise self.get_invalid_login_error()
        return username
