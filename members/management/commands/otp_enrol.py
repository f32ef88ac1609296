"""Give logins an authenticator (TOTP) with a known key, confirmed, as if enrolled on the
page — for an operator setting up a shared test server or scripted checks (.ci/production).

    OTP_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(20))') \\
        manage.py otp_enrol staff admin --key-env OTP_KEY

The key (hex, up to 40 bytes) is read from the environment variable named, never from the
command line (which other users of the machine can read), and is not printed.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members.audit import Action, record
from members.management.logins import named_logins, secret_from_env
from members.security import otp


class Command(BaseCommand):
    help = "Enrol logins in two-factor authentication with a TOTP key read from the environment."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+")
        parser.add_argument("--key-env", required=True, help="name of the variable holding the hex key")

    def handle(self, *args, usernames, key_env, **options):
        key = secret_from_env(key_env).strip().lower()
        if not re.fullmatch(r"(?:[0-9a-f]{2}){10,40}", key):
            raise CommandError(f"{key_env} must hold 20 to 40 bytes as hex digits.")
        users = named_logins(usernames)
        with transaction.atomic():
            for user in users:
                device = otp.device_enrol(user, key)
                record(Action.OTP_ENROLLED, user=user, obj=device, detail={"by": "otp_enrol"})
        self.stdout.write(f"enrolled: {', '.join(usernames)}")
