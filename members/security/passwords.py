"""Password quality (length, three kinds of character, not the login name, not common —
AUTH_PASSWORD_VALIDATORS), the last passwords not reused, and who must choose a new one.

``PasswordHistoryValidator.password_changed`` is Django's hook, called whenever a password
is saved (set_password + save): it keeps the hash in ``PasswordHistory`` and starts the
expiry clock (``User.password_changed_at``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class CharacterClassesValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        return sum([
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ])

    def validate(self, password, user=None):
        if self.classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "Your password must contain at least %(count)d of: upper-case letters, "
            "lower-case letters, digits and symbols."
        ) % {"count": self.min_classes}


class NotUsernameValidator:
    """Not the login name, nor the login name in other case or written backwards."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").casefold()
        if username and password.casefold() in {username, username[::-1]}:
            raise ValidationError(
                _("Your password cannot be your login name."), code="password_is_username"
            )

    def get_help_text(self):
        return _("Your password cannot be your login name.")


class PublishedPasswordValidator:
    """Not the demo's password: it is published (README, `manage.py demo`)."""

    def validate(self, password, user=None):
        from members.security import DEMO_PASSWORD

        if password == DEMO_PASSWORD:
            raise ValidationError(
                _("This is the demo's published password: choose another."), code="password_published"
            )

    def get_help_text(self):
        return _("Your password cannot be the demo's published password.")


class PasswordHistoryValidator:
    """None of the last ``PASSWORD_HISTORY`` passwords (the current one included)."""

    @staticmethod
    def keep() -> int:
        return settings.PASSWORD_HISTORY

    def validate(self, password, user=None):
        if user is None or user.pk is None or self.keep() <= 0:
            return
        hashes = list(
            user.password_history.order_by("-created_at", "-pk").values_list("password", flat=True)[
                : self.keep()
            ]
        )
        if user.password and user.has_usable_password():
            hashes.append(user.password)
        if any(check_password(password, hashed) for hashed in hashes):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self):
        return ngettext(
            "Your password cannot be your last password.",
            "Your password cannot be one of your last %(count)d passwords.",
            self.keep(),
        ) % {"count": self.keep()}

    def password_changed(self, password, user=None):
        """Keep the new hash, drop what falls out of the window, start the expiry clock."""
        from members.models import User
        from members.models.security import PasswordHistory

        if user is None or user.pk is None:
            return
        now = timezone.now()
        PasswordHistory.objects.create(user=user, password=user.password, created_at=now)
        keep = max(self.keep(), 1)
        stale = user.password_history.order_by("-created_at", "-pk").values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        User.objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now


def password_expired(user) -> bool:
    """With ``PASSWORD_EXPIRY_DAYS`` set, a password older than that many days."""
    days = settings.PASSWORD_EXPIRY_DAYS
    if days <= 0 or not user.has_usable_password():
        return False
    since = user.password_changed_at or user.date_joined
    return since + timedelta(days=days) <= timezone.now()


def must_change_password(user) -> bool:
    return bool(user.must_change_password) or password_expired(user)


def password_set_by_staff(user) -> None:
    """Someone else chose this password (staff in the admin, an import): the user replaces
    it at the next login. Call before the user is saved."""
    user.must_change_password = True
