"""``manage.py rotate_phone_key [--check] [--batch-size N]``: re-seal every constituent's
phone number — and those of the QR messages and blocked numbers — (and re-hash it) under
``PHONE_KEY``, from ``PHONE_KEY_OLD``.

Run with the new key as ``PHONE_KEY`` and the previous one as ``PHONE_KEY_OLD`` (the portal
reads and finds numbers under both meanwhile). Batches of rows, each written at once, so
the portal keeps working; a row only if it still holds what was read (an edit meanwhile is
sealed under the new key already). Idempotent: a run that stopped is resumed by running it
again, and a finished one writes nothing. docs/OPERATIONS.md, "Phone key", has the steps.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from members import phone_crypto, phone_rows

# The constituents' tables, and the QR intake's messages and blocked numbers (sealed alike;
# not in ``phone_rows.TABLES``, which the members migration that first sealed numbers reads).
TABLES = phone_rows.TABLES + (
    ("liaison_submission", "id", True),
    ("liaison_blockedphone", "id", True),
)


class Command(BaseCommand):
    help = "Re-seal constituents' phone numbers under PHONE_KEY (from PHONE_KEY_OLD)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true",
            help="Only count the numbers not yet sealed under PHONE_KEY; exit 1 if any.",
        )
        parser.add_argument("--batch-size", type=int, default=phone_rows.BATCH_SIZE)

    def handle(self, *args, check, batch_size, verbosity, **options):
        try:
            keys = phone_crypto.keyring()
            if check:
                stale = {t: phone_rows.stale_count(connection, t, pk) for t, pk, _h in TABLES}
            else:
                if keys.old is None:
                    self.stdout.write("PHONE_KEY_OLD is not set: only numbers in clear are sealed.")

                def report(progress):
                    if verbosity > 1:
                        self.stdout.write(
                            f"{progress.table}: {progress.read} read, {progress.written} re-sealed"
                        )

                done = [
                    phone_rows.seal_table(connection, table, pk, hashes, batch_size=batch_size,
                                          report=report)
                    for table, pk, hashes in TABLES
                ]
                for progress in done:
                    self.stdout.write(
                        f"{progress.table}: {progress.read} numbers, {progress.written} re-sealed"
                    )
                stale = {t: phone_rows.stale_count(connection, t, pk) for t, pk, _h in TABLES}
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        left = sum(stale.values())
        if left:
            raise CommandError(
                f"{left} numbers are not sealed under PHONE_KEY (key id {keys.current.id}): "
                + ", ".join(f"{table} {n}" for table, n in stale.items())
            )
        self.stdout.write(self.style.SUCCESS(
            f"Every number is sealed under PHONE_KEY (key id {keys.current.id})"
            + ("; PHONE_KEY_OLD may now be removed." if keys.old is not None else ".")
        ))
