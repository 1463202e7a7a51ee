from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Frequency


class PreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often do you want e-mail about reminders and notifications?"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Reminders come a week before and on the day of each deadline, and once a week while "
            "something is overdue. Notifications tell you when something happens to your own "
            "work. You always see both here in the app."
        ),
    )
