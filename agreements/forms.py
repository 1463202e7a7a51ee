import itertools
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from goals.models import (
    CouncilGoal,
    FollowUpStatus,
    Goal,
    GoalFollowUp,
    Indicator,
    IndicatorDefinition,
)
from randers.forms import ListedChoiceField
from units.models import Area, Committee, Unit

from . import services
from .models import Agreement, Consultation, FollowUpPoint, MeetingItem, Period, SignerRole

MAX_TEXT = 20_000


class SectionForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    overwrite_revision = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def expected_revision(self) -> int:
        return self.cleaned_data["overwrite_revision"] or self.cleaned_data["revision"]


class BudgetForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Budget frame (DKK)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=0,
        localize=True,
        help_text=_("The unit's net budget for the period, in whole kroner."),
    )
    note = forms.CharField(
        label=_("Notes on the budget"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=Goal.Kind.choices, initial=Goal.Kind.LOCAL)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the unit will do, and why."),
    )
    success_criterion = forms.CharField(
        label=_("Success criterion"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How everyone will know at the end of the period that the goal is met."),
    )
    council_goals = forms.ModelMultipleChoiceField(
        label=_("Council goals the goal serves"),
        queryset=CouncilGoal.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def goal_data(self, indicators: list[services.IndicatorData]) -> services.GoalData:
        data = self.cleaned_data
        return services.GoalData(
            title=data["title"],
            kind=data["kind"],
            description=data["description"],
            success_criterion=data["success_criterion"],
            council_goals=list(data["council_goals"]),
            indicators=indicators,
        )


class IndicatorForm(forms.Form):
    """One indicator of a goal: from the library (its name, unit of measure and direction are
    then the library's, so that units of a kind can be compared) or the unit's own."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    definition = forms.TypedChoiceField(
        label=_("From the indicator library"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "A shared indicator is compared with the units of the same kind. "
            "Leave it empty for an indicator of the unit's own."
        ),
        error_messages={"invalid_choice": _("Choose one of the indicators in the list.")},
    )
    name = forms.CharField(label=_("Indicator"), max_length=200, required=False)
    unit_of_measure = forms.CharField(label=_("Unit of measure"), max_length=50, required=False)
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Indicator.Direction.choices,
        initial=Indicator.Direction.INCREASE,
    )
    baseline = forms.DecimalField(
        label=_("Baseline"), required=False, max_digits=14, decimal_places=2, localize=True
    )
    target = forms.DecimalField(
        label=_("Target"), required=False, max_digits=14, decimal_places=2, localize=True
    )

    def __init__(
        self, *args: Any, definitions: list[IndicatorDefinition] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definitions = {definition.pk: definition for definition in definitions or []}
        cast(forms.TypedChoiceField, self.fields["definition"]).choices = [
            ("", _("None: the unit's own indicator")),
            *((definition.pk, definition.name) for definition in definitions or []),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        definition = self.definitions.get(data.get("definition") or 0)
        if definition is not None:
            data["name"] = definition.name
            data["unit_of_measure"] = definition.unit_of_measure
            data["direction"] = definition.direction
        if not data.get("name") and (
            data.get("baseline") is not None or data.get("target") is not None
        ):
            self.add_error("name", _("Name the indicator, or clear its baseline and target."))
        return data


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=1, max_num=10, can_delete=True)


def indicators_from(formset: forms.BaseFormSet) -> list[services.IndicatorData]:
    return [
        services.IndicatorData(
            id=form.cleaned_data.get("id"),
            definition_id=form.cleaned_data.get("definition"),
            name=form.cleaned_data["name"],
            unit_of_measure=form.cleaned_data["unit_of_measure"],
            direction=form.cleaned_data["direction"],
            baseline=form.cleaned_data["baseline"],
            target=form.cleaned_data["target"],
        )
        for form in formset.forms
        if form.cleaned_data
        and form.cleaned_data.get("name")
        and not form.cleaned_data.get("DELETE")
    ]


class ConsultationForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Consultation"), choices=Consultation.Status.choices, widget=forms.RadioSelect
    )
    held_on = forms.DateField(
        label=_("Consulted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    statement = forms.CharField(
        label=_("Their statement"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=_("Why it is not applicable"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Consultation.Status.CONSULTED:
            if not data.get("held_on"):
                self.add_error("held_on", _("Give the date of the consultation."))
            if not (data.get("statement") or "").strip():
                self.add_error("statement", _("Write down their statement."))
        elif (
            data.get("status") == Consultation.Status.NOT_APPLICABLE
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Write why the consultation is not applicable."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the reason; the leader will see it.")},
    )


class ApprovalForm(forms.Form):
    note = forms.CharField(
        label=_("The committee's decision (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SignForm(forms.Form):
    """The signer re-enters the password before signing."""

    role = forms.ChoiceField(label=_("Sign as"), choices=SignerRole.choices)
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        role_field = cast(forms.ChoiceField, self.fields["role"])
        role_field.choices = [(r, label) for r, label in SignerRole.choices if r in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]
            self.fields["role"].widget = forms.HiddenInput()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = authenticate(
            self.request, username=self.request.user.get_username(), password=password
        )
        if user is None or user.pk != self.request.user.pk:
            raise forms.ValidationError(_("The password is not correct. Nothing was signed."))
        return password


class StartAgreementForm(forms.Form):
    class Source:
        TEMPLATE = "template"
        ROLLOVER = "rollover"

    source = forms.ChoiceField(
        label=_("Start from"),
        widget=forms.RadioSelect,
        choices=[
            (Source.ROLLOVER, _("Last period's signed agreement")),
            (Source.TEMPLATE, _("The period's template (empty sections)")),
        ],
    )
    keep_goals = forms.ModelMultipleChoiceField(
        label=_("Goals to keep"),
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each kept goal is copied with its indicators; you can edit it afterwards."),
    )

    def __init__(self, *args: Any, previous_goals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = cast(forms.ChoiceField, self.fields["source"])
        if previous_goals is None:
            source.choices = [(self.Source.TEMPLATE, _("The period's template (empty sections)"))]
            source.initial = self.Source.TEMPLATE
            del self.fields["keep_goals"]
        else:
            cast(
                forms.ModelMultipleChoiceField, self.fields["keep_goals"]
            ).queryset = previous_goals
            self.fields["source"].initial = self.Source.ROLLOVER
            self.initial.setdefault("keep_goals", list(previous_goals))


# --- Goals and follow-up -----------------------------------------------------------------------


class CoverageFilterForm(forms.Form):
    """The coverage matrix's filters, read from the query string."""

    period = ListedChoiceField(
        label=_("Period"),
        queryset=Period.objects.order_by("-starts_on"),
        to_field_name="slug",
        required=False,
        empty_label=_("The period in force"),
        error_messages={"invalid_choice": _("Choose one of the periods in the list.")},
    )
    committee = ListedChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All committees"),
        error_messages={"invalid_choice": _("Choose one of the committees in the list.")},
    )
    area = ListedChoiceField(
        label=_("Area"),
        queryset=Area.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All areas"),
        error_messages={"invalid_choice": _("Choose one of the areas in the list.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *Unit.Kind.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the kinds in the list.")},
    )

    def chosen_period(self) -> Period | None:
        """The chosen period, else the one in force: the latest that has begun (found in the
        list of periods the form reads anyway for its options)."""
        chosen = self.cleaned_data.get("period") if self.is_valid() else None
        if chosen is not None:
            return chosen
        today = date.today()
        periods = self.fields["period"].queryset  # type: ignore[attr-defined]
        return next((period for period in periods if period.starts_on <= today), None)


STATUS_CHOICES = [("", _("Choose a status")), *FollowUpStatus.choices]


class GoalFollowUpForm(forms.Form):
    """One goal of a draft report: status, assessment and a new measurement per indicator.

    Status and assessment are required to submit; a draft may be saved without them.
    """

    status = forms.ChoiceField(
        label=_("Status"),
        choices=STATUS_CHOICES,
        error_messages={
            "invalid_choice": _("Choose a status from the list."),
            "required": _("Choose the goal's status."),
        },
    )
    assessment = forms.CharField(
        label=_("Assessment"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How is the goal going, and why? Required when you submit."),
        error_messages={"required": _("Write an assessment of how the goal is going.")},
    )

    def __init__(
        self,
        *args: Any,
        row: GoalFollowUp,
        indicators: list[Indicator],
        submitting: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.row = row
        self.indicators = indicators
        self.fields["status"].required = submitting
        self.fields["assessment"].required = submitting
        for indicator in indicators:
            measure = f" ({indicator.unit_of_measure})" if indicator.unit_of_measure else ""
            self.fields[f"value_{indicator.pk}"] = forms.DecimalField(
                label=_("New value of %(name)s%(measure)s")
                % {"name": indicator.name, "measure": measure},
                required=False,
                max_digits=14,
                decimal_places=2,
                localize=True,
            )
            self.fields[f"date_{indicator.pk}"] = forms.DateField(
                label=_("Measured on (%(name)s)") % {"name": indicator.name},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def indicator_fields(self) -> list[tuple[Indicator, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"value_{i.pk}"], self[f"date_{i.pk}"]) for i in self.indicators]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for indicator in self.indicators:
            value, day = data.get(f"value_{indicator.pk}"), data.get(f"date_{indicator.pk}")
            if value is not None and day is None:
                self.add_error(f"date_{indicator.pk}", _("Give the date of the measurement."))
            if day is not None and value is None:
                self.add_error(f"value_{indicator.pk}", _("Give the measured value."))
        return data

    def entry(self) -> services.GoalEntry:
        data = self.cleaned_data
        return services.GoalEntry(
            follow_up_id=self.row.pk,
            status=data["status"],
            assessment=data["assessment"],
            measurements=[
                services.MeasurementEntry(
                    indicator_id=i.pk,
                    measured_on=data[f"date_{i.pk}"],
                    value=data[f"value_{i.pk}"],
                )
                for i in self.indicators
                if data.get(f"value_{i.pk}") is not None and data.get(f"date_{i.pk}") is not None
            ],
        )


class SeenForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply to the leader"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FollowUpDownloadForm(forms.Form):
    """The follow-up point of the period in force to download (its points read once)."""

    point = forms.TypedChoiceField(
        label=_("Follow-up point"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose one of the follow-up points in the list.")},
    )

    def __init__(self, *args: Any, points: list[FollowUpPoint], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.points = {point.pk: point for point in points}
        cast(forms.TypedChoiceField, self.fields["point"]).choices = [
            (point.pk, point.name) for point in points
        ]

    def clean_point(self) -> FollowUpPoint:
        return self.points[self.cleaned_data["point"]]


MAX_UPLOAD_BYTES = 2 * 1024 * 1024
XLSX_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
}


class FollowUpUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_(
            "The file you downloaded here, filled in. Only .xlsx files of at most 2 MB. "
            "Nothing is saved unless every row is valid."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
        error_messages={"required": _("Choose the Excel file to upload.")},
    )
    submit = forms.BooleanField(
        label=_("Submit the reports as well (every goal needs a status and an assessment)"),
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx") or (
            upload.content_type and upload.content_type not in XLSX_TYPES
        ):
            raise forms.ValidationError(_("The file must be an Excel workbook (.xlsx)."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class PushCommonGoalsForm(forms.Form):
    area = ListedChoiceField(
        label=_("Area"),
        queryset=Area.objects.order_by("name"),
        to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the areas in the list.")},
    )
    period = ListedChoiceField(
        label=_("Period"),
        queryset=Period.objects.order_by("-starts_on"),
        to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the periods in the list.")},
    )


# --- Review --------------------------------------------------------------------------------------


class OverviewFilterForm(forms.Form):
    """The overview's filters and sort, read from the query string."""

    periode = ListedChoiceField(
        label=_("Period"),
        queryset=Period.objects.order_by("-starts_on"),
        to_field_name="slug",
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the periods in the list.")},
    )
    omraade = ListedChoiceField(
        label=_("Area"),
        queryset=Area.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All areas"),
        error_messages={"invalid_choice": _("Choose one of the areas in the list.")},
    )
    udvalg = ListedChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All committees"),
        error_messages={"invalid_choice": _("Choose one of the committees in the list.")},
    )
    status = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All states")), *Agreement.State.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the states in the list.")},
    )
    type = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *Unit.Kind.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the kinds in the list.")},
    )
    q = forms.CharField(label=_("Unit name"), required=False, max_length=100)
    overskredet = forms.BooleanField(label=_("Only overdue"), required=False)
    sortering = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("enhed", _("Unit")),
            ("omraade", _("Area")),
            ("udvalg", _("Committee")),
            ("status", _("State")),
            ("opdateret", _("Last changed")),
        ],
        required=False,
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the comment.")},
    )


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    agreements = forms.ModelMultipleChoiceField(
        label=_("Agreements on the agenda"),
        queryset=Agreement.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one agreement for the agenda.")},
    )

    def __init__(self, *args: Any, agreements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["agreements"])
        field.queryset = agreements
        field.label_from_instance = _agenda_label  # type: ignore[method-assign,assignment]


def _agenda_label(agreement: Agreement) -> str:
    return f"{agreement.unit.name} ({agreement.get_state_display()})"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=MeetingItem.Decision.choices)
    note = forms.CharField(
        label=_("Decision, in words"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)


class BookForm(forms.Form):
    """The agreement book's period and scope: the whole municipality, an area or a committee."""

    period = forms.ChoiceField(label=_("Period"))
    scope = forms.ChoiceField(label=_("For"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.periods = {str(p.pk): p for p in Period.objects.order_by("-starts_on")}
        cast(forms.ChoiceField, self.fields["period"]).choices = [
            (pk, period.name) for pk, period in self.periods.items()
        ]
        areas = [(f"area:{a.pk}", a.name) for a in Area.objects.order_by("name")]
        committees = [(f"committee:{c.pk}", c.name) for c in Committee.objects.order_by("name")]
        cast(forms.ChoiceField, self.fields["scope"]).choices = [
            ("municipality", _("The whole municipality")),
            (_("Areas"), areas),
            (_("Committees"), committees),
        ]

    def clean_period(self) -> Period:
        return self.periods[self.cleaned_data["period"]]

    def clean_scope(self) -> tuple[str, int | None]:
        kind, _sep, pk = self.cleaned_data["scope"].partition(":")
        return kind, int(pk) if pk else None


# --- The annual cycle ---------------------------------------------------------------------------


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class PeriodForm(forms.Form):
    """A new period, proposed from the last one a year later, every date adjustable."""

    name = forms.CharField(label=_("Name"), max_length=100)
    slug = forms.SlugField(
        label=_("Short name in addresses"),
        max_length=100,
        help_text=_("Lower-case letters, digits and hyphens, e.g. aftaler-2028."),
    )
    starts_on = _date(_("The period begins"))
    ends_on = _date(_("The period ends"))
    draft_due = _date(_("Drafts due"))
    submit_due = _date(_("Submission due"))
    dialogue_starts = _date(_("Dialogue meetings begin"))
    dialogue_ends = _date(_("Dialogue meetings end"))
    signing_due = _date(_("Signing due"))
    required_signers = forms.MultipleChoiceField(
        label=_("Required signers"), choices=SignerRole.choices, widget=forms.CheckboxSelectMultiple
    )
    lock_after_days = forms.IntegerField(
        label=_("Lock for changes this many days after the period ends"),
        min_value=0,
        max_value=3650,
        required=False,
        help_text=_("Leave empty to never lock the period."),
    )

    ORDER = ["draft_due", "submit_due", "dialogue_starts", "dialogue_ends", "signing_due"]

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if Period.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("A period with this name exists already."))
        return name

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data["slug"])
        if Period.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A period with this short name exists already."))
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The period must end after it begins."))
        dates = [(name, data.get(name)) for name in self.ORDER]
        for (_before, earlier), (name, later) in itertools.pairwise(dates):
            if earlier and later and later < earlier:
                self.add_error(name, _("This date must not come before the step above it."))
        return data

    def period_data(self) -> services.PeriodData:
        return services.PeriodData(**self.cleaned_data)


class PeriodLockForm(forms.Form):
    lock_after_days = forms.IntegerField(
        label=_("Lock for changes this many days after the period ends"),
        min_value=0,
        max_value=3650,
        required=False,
        help_text=_("Leave empty to never lock the period."),
    )
