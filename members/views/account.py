"""A login's own security pages: the second factor (enrol, verify, recovery codes), the
account page where members opt in, password change, and password reset by e-mail.

Every page here works on ``request.user``'s own devices and nothing else: there is no id in
any URL, so there is nobody else's device to reach.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from members.audit import Action, record
from members.common.client_ip import client_ip
from members.security import login_of, otp, ratelimit
from members.security.forms import PortalPasswordResetForm, TokenForm
from members.security.passwords import must_change_password, password_expired

__all__ = [
    "PortalPasswordChangeView",
    "PortalPasswordResetConfirmView",
    "PortalPasswordResetView",
    "account_security",
    "otp_enrol",
    "otp_verify",
    "recovery_codes",
]


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def _verified(request, device) -> None:
    otp_login(request, device)
    request.session.pop(otp.OTP_PENDING, None)
    request.session[otp.OTP_CHECKED_AT] = int(time.time())


@login_required
def otp_enrol(request):
    """Set up the authenticator app: QR code and key, confirmed by a first code."""
    user = request.user
    if otp.has_device(user) and not user.is_verified():
        return redirect("otp-verify")
    device = otp.pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = otp.device_confirm(user, device)
            _verified(request, device)
            record(Action.OTP_ENROLLED, request=request, user=login_of(request), obj=device)
            record(Action.RECOVERY_CODES, request=request, user=login_of(request), detail={"event": "generated"})
            return render(request, "registration/otp_recovery_codes.html", {
                "codes": codes, "next": _safe_next(request),
            })
        record(Action.OTP_FAILED, request=request, user=login_of(request), result="failed",
               detail={"stage": "enrol"})
        form.add_error("token", _("That code is not right. Check the phone's clock and try the new code."))
    return render(request, "registration/otp_enrol.html", {
        "form": form, "qr": otp.qr_svg(device), "secret": otp.secret_text(device),
        "required": otp.otp_required(user), "next": _safe_next(request),
    })


@login_required
def otp_verify(request):
    """The code after the password: from the authenticator app, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    if not otp.has_device(user):
        return redirect("otp-enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.verify(user, form.cleaned_data["token"])
        if device is not None:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                left = otp.recovery_codes_left(user)
                record(Action.RECOVERY_CODES, request=request, user=login_of(request),
                       detail={"event": "used", "left": left})
                messages.warning(request, _(
                    "You used a recovery code; %(left)d are left. Generate new ones on your "
                    "account page if you are running out."
                ) % {"left": left})
            return redirect(_safe_next(request))
        record(Action.OTP_FAILED, request=request, user=login_of(request), result="failed",
               detail={"stage": "verify"})
        form.add_error("token", _("That code is not right, or has been used already. Try the next code."))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
def account_security(request):
    """Two factors (required for the role, or opted into) and the password."""
    user = request.user
    return render(request, "registration/account_security.html", {
        "has_device": otp.has_device(user),
        "required": otp.otp_required(user),
        "codes_left": otp.recovery_codes_left(user),
        "password_expired": password_expired(user),
    })


@login_required
@require_POST
def recovery_codes(request):
    """New recovery codes (the old ones stop working); only in a verified session."""
    user = request.user
    if not user.is_verified():
        return redirect("otp-verify")
    codes = otp.recovery_codes_generate(user)
    record(Action.RECOVERY_CODES, request=request, user=login_of(request), detail={"event": "generated"})
    return render(request, "registration/otp_recovery_codes.html", {
        "codes": codes, "next": reverse_lazy("account-security"),
    })


class PortalPasswordChangeView(auth_views.PasswordChangeView):
    """Django's page; it also ends 'must change password' and is audited."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["must_change"] = must_change_password(user)
        context["expired"] = password_expired(user)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        record(Action.PASSWORD_CHANGED, request=self.request, user=login_of(self.request))
        return response


class PortalPasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per address and per client IP (the cache counts).
    The page says the same whether or not the address belongs to anyone."""

    form_class = PortalPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        window = settings.PASSWORD_RESET_RATE_WINDOW
        by_ip = ratelimit.hit("reset-ip", client_ip(self.request) or "", limit=settings.PASSWORD_RESET_RATE_IP, window=window)
        by_address = ratelimit.hit("reset-email", email, limit=settings.PASSWORD_RESET_RATE_EMAIL, window=window)
        if not (by_ip and by_address):
            record(Action.PASSWORD_RESET, request=self.request, result="refused",
                   detail={"stage": "requested", "reason": "rate limit"}, username=email)
            form.add_error(None, _(
                "Too many reset requests. Please wait %(minutes)d minutes before asking again."
            ) % {"minutes": max(window // 60, 1)})
            return self.render_to_response(self.get_context_data(form=form), status=429)
        record(Action.PASSWORD_RESET, request=self.request, detail={"stage": "requested"}, username=email)
        return super().form_valid(form)


class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page for the link in the mail; the password chosen is the user's own."""

    def form_valid(self, form):
        user = form.user
        user.must_change_password = False
        response = super().form_valid(form)
        record(Action.PASSWORD_RESET, request=self.request, user=user, detail={"stage": "completed"})
        return response
