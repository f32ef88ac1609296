"""``manage.py audit_archive``: move the audit entries older than ``AUDIT_RETENTION_DAYS`` to
a checked archive file (``members.audit_archive``); what the nightly job does."""

from django.core.management.base import BaseCommand

from members.audit_archive import audit_archive


class Command(BaseCommand):
    help = "Archive the audit entries older than AUDIT_RETENTION_DAYS to a file, then remove them."

    def handle(self, *args, **options):
        done = audit_archive()
        if done.rows:
            self.stdout.write(f"{done.rows} 条审计记录已归档 / entries archived: {done.name} (sha256 {done.sha256})")
        else:
            self.stdout.write("没有到期的审计记录 / nothing to archive.")
