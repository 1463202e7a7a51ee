from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import Period
from units.forms import UnitField
from units.models import Unit

NO_AGREEMENT = "ingen"


def _period_choices(periods: list[Period]) -> list[tuple[str, str]]:
    return [
        (period.slug, str(_("Agreement period %(name)s") % {"name": period.name}))
        for period in periods
    ]


def _default(periods: list[Period]) -> str:
    """The period in force, or else the one being prepared."""
    in_force = [period for period in periods if period.starts_on <= date.today()]
    return (in_force or periods)[0].slug if periods else NO_AGREEMENT


class AgreementStartForm(forms.Form):
    """Whether to start the new unit's agreement now, and for which period."""

    period = forms.ChoiceField(
        label=_("Start the unit's agreement"),
        widget=forms.RadioSelect,
        help_text=_(
            "The draft starts from the period's template and the common goals of the unit's "
            "area; the leader writes the rest."
        ),
        error_messages={"required": _("Choose a period, or not to start an agreement now.")},
    )

    def __init__(self, *args: Any, periods: list[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.periods = {period.slug: period for period in periods}
        field = cast(forms.ChoiceField, self.fields["period"])
        field.choices = [
            *_period_choices(periods),
            (NO_AGREEMENT, _("Not now; the leader or an administrator starts it later")),
        ]
        field.initial = _default(periods)

    def clean_period(self) -> Period | None:
        value = self.cleaned_data["period"]
        return None if value == NO_AGREEMENT else self.periods[value]


class MergeForm(forms.Form):
    """Which unit takes over, and for which period it gets a new agreement."""

    survivor = UnitField(
        label=_("The unit that continues"),
        help_text=_("It takes over the sites; write its name as in the unit directory."),
        error_messages={"required": _("Write the name of the unit that continues.")},
    )
    period = forms.ChoiceField(
        label=_("New agreement for the continuing unit"),
        widget=forms.RadioSelect,
        help_text=_(
            "If it has none for the period, a draft is started; a signed one gets a new version "
            "(the signed one stays in force until the new one is signed); one with the director "
            "or the committee is returned to the leader."
        ),
        error_messages={"required": _("Choose a period, or not to change the agreements.")},
    )

    def __init__(self, *args: Any, unit: Unit, periods: list[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.periods = {period.slug: period for period in periods}
        field = cast(forms.ChoiceField, self.fields["period"])
        field.choices = [
            *_period_choices(periods),
            (NO_AGREEMENT, _("No new agreement")),
        ]
        field.initial = _default(periods)

    def clean_survivor(self) -> Unit:
        survivor = self.cleaned_data["survivor"]
        if survivor is not None and survivor.pk == self.unit.pk:
            raise forms.ValidationError(_("Choose another unit than the one that closes."))
        return survivor

    def clean_period(self) -> Period | None:
        value = self.cleaned_data["period"]
        return None if value == NO_AGREEMENT else self.periods[value]
