"""Set logins' password non-interactively, from an environment variable (Django's
``changepassword`` asks on a terminal). The password is checked against the password rules
and is the users' own: they are not asked to change it at the next login.

    JOURNEY_PASSWORD=... manage.py set_password staff admin --password-env JOURNEY_PASSWORD
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members.audit import Action, record
from members.management.logins import named_logins, secret_from_env


class Command(BaseCommand):
    help = "Set logins' password from an environment variable (checked against the rules)."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+")
        parser.add_argument("--password-env", required=True, help="name of the variable holding it")

    def handle(self, *args, usernames, password_env, **options):
        password = secret_from_env(password_env)
        users = named_logins(usernames)
        with transaction.atomic():
            for user in users:
                try:
                    validate_password(password, user)
                except ValidationError as error:
                    raise CommandError(f"{user.username}: {' '.join(error.messages)}") from error
                user.set_password(password)
                user.must_change_password = False
                user.save()
                record(Action.PASSWORD_CHANGED, user=user, detail={"by": "set_password"})
        self.stdout.write(f"password set: {', '.join(usernames)}")
