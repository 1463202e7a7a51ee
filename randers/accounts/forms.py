from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .models import LoginEvent, TOTPDevice


class LocalLoginForm(AuthenticationForm):
    """Django's login form (fields `username` and `password`), closed to everyone but the
    administrators with an authenticator app when an administrator has switched local login off."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "local_login_off": _(
            "Login with username and password is switched off. Use the municipality's login."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if selectors.local_login_enabled():
            return
        if selectors.needs_second_factor(user) and selectors.confirmed_totp_device(user):
            return  # break-glass: administrators with a second factor keep a local login
        services.record_login_event(
            self.request,
            method=LoginEvent.Method.LOCAL,
            outcome=LoginEvent.Outcome.REFUSED,
            user=user,
            reason=LoginEvent.Reason.LOCAL_LOGIN_OFF,
        )
        raise forms.ValidationError(self.error_messages["local_login_off"], code="local_login_off")


class TOTPCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The six digits the app shows now."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def __init__(
        self, *args: Any, device: TOTPDevice, secret: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.device = device
        self.secret = secret  # a new app's secret, replacing the device's when the code is right

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if not services.verify_totp(self.device, code, secret=self.secret):
            raise forms.ValidationError(
                _("The code is not right. Enter the code your app shows now."), code="wrong"
            )
        return code


class LoginSettingsForm(forms.Form):
    local_login_enabled = forms.BooleanField(
        label=_("Allow login with username and password"),
        help_text=_(
            "When off, only administrators with an authenticator app can log in with a "
            "username and password (to reach the app if the municipality's login fails)."
        ),
        required=False,
    )


class LoginEventFilterForm(forms.Form):
    q = forms.CharField(label=_("Username, e-mail or IP address"), required=False, max_length=254)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("All outcomes")), *LoginEvent.Outcome.choices],
        required=False,
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[("", _("All methods")), *LoginEvent.Method.choices],
        required=False,
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def filters(self) -> selectors.LoginEventFilter:
        """The filters for the selector; what is not valid is left out."""
        if not self.is_bound:
            return selectors.LoginEventFilter()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.LoginEventFilter(
            text=data.get("q", "").strip(),
            outcome=data.get("outcome", ""),
            method=data.get("method", ""),
            since=data.get("since"),
            until=data.get("until"),
        )
