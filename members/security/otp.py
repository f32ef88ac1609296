"""Two factors (django-otp): a TOTP authenticator app and ten one-time recovery codes.

Who must use them: ``OTP_REQUIRED_ROLES`` (roles of ``User.Role``, and ``superuser`` for
Django superusers). Anyone else may opt in from their account page; once they have a
confirmed device they are asked for a code at every login as well.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# In the session of a login that opted in: a code is still to be given.
OTP_PENDING = "portal_otp_pending"
# When the session's verified device was last found in the database (PortalOTPMiddleware).
OTP_CHECKED_AT = "portal_otp_checked_at"
RECOVERY_CODES = 10
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def otp_required(user) -> bool:
    if not user.is_authenticated:
        return False
    roles = set(settings.OTP_REQUIRED_ROLES)
    return user.role in roles or (user.is_superuser and "superuser" in roles)


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (a new key the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` URL as an inline SVG QR code (drawn here, no outside service)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", omitsize=True, title="TOTP"
    )


@transaction.atomic
def device_confirm(user, device: TOTPDevice) -> list[str]:
    """The device becomes the user's one authenticator; old ones go. Returns new recovery codes."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_generate(user)


@transaction.atomic
def recovery_codes_generate(user) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify(user, token: str):
    """The device that accepts ``token`` (verified in its own transaction, throttled by
    django-otp): six digits are for the authenticator, anything else a recovery code."""
    is_totp = token.isdigit() and len(token) == 6
    model = TOTPDevice if is_totp else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        if verify_token(user, device.persistent_id, token) is not None:
            return device
    return None


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def device_enrol(user, key: str) -> TOTPDevice:
    """An authenticator with a known key, confirmed (``manage.py otp_enrol``)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key, confirmed=True)


def on_login(sender, request, user, **kwargs):
    """A login that opted in (a confirmed device, its role not requiring one) still owes a
    code; required roles are asked by role, without a query here."""
    if not otp_required(user) and has_device(user):
        request.session[OTP_PENDING] = True
