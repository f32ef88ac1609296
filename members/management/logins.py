"""What the commands that set up logins share: a value read from the environment (never
from the command line, which other users of the machine can read) and the named logins."""

from __future__ import annotations

import os

from django.core.management.base import CommandError

from members.models import User


def secret_from_env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value.strip():
        raise CommandError(f"{name} is empty or not set.")
    return value


def named_logins(usernames: list[str]) -> list[User]:
    """The logins named, in the order given; a name that matches none is an error."""
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    missing = [name for name in usernames if name not in users]
    if missing:
        raise CommandError(f"No such login: {', '.join(missing)}")
    return [users[name] for name in usernames]
