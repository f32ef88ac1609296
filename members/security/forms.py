"""The login form, the two-factor forms and the password-reset form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from members.security import DEMO_PASSWORD

DEMO_PASSWORD_REFUSED = _(
    "The demo's published password cannot be used on this server. Ask an administrator to "
    "set a password of your own, or reset it by e-mail."
)


class RefuseDemoPassword:
    """Refuses the demo's published password on a real server (DEBUG off) before anything
    is looked up, whichever name was typed."""

    def clean(self):
        if not settings.DEBUG and self.cleaned_data.get("password") == DEMO_PASSWORD:
            raise forms.ValidationError(DEMO_PASSWORD_REFUSED, code="demo_password")
        return super().clean()


class PortalAuthenticationForm(RefuseDemoPassword, AuthenticationForm):
    """The portal's login form: one message for a wrong password and an unknown name."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The login name or password is not right. After several failures logging in is "
            "blocked for a while."
        ),
    }


class PortalAdminAuthenticationForm(RefuseDemoPassword, AdminAuthenticationForm):
    """The Django admin's login form, refusing the demo's password as the portal's does."""


class TokenForm(forms.Form):
    """A six-digit code from the authenticator app, or one of the recovery codes."""

    token = forms.CharField(
        label=_("Code"), max_length=16, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
        help_text=_("The 6-digit code the authenticator app shows, or a recovery code."),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split()).lower()


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, also for logins without a usable password yet (an imported
    member whose password nobody set): they choose their first one this way."""

    def get_users(self, email):
        User = get_user_model()
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if user.email.casefold() == email.casefold()
        )
