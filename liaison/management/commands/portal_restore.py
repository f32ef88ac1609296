"""``manage.py portal_restore [--db-file NAME] [--media-file NAME] [--yes]``: put the database
and the uploaded files back from the backup storage, the newest backup of each unless named
(``manage.py listbackups`` lists them).

It overwrites the portal's data, so it says in Chinese what it will overwrite and goes on only
after ``yes`` is typed, or with ``--yes``; with neither (cron, a pipe) it refuses and changes
nothing. A thin wrapper over django-dbbackup's ``dbrestore`` and ``mediarestore``;
docs/OPERATIONS.md has the whole procedure.
"""

import sys

from dbbackup.storage import StorageError, get_storage
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from liaison.management.commands.portal_backup import backup_location

# The dump keeps who owned each table on the machine that made it. A fresh machine's portal
# role is often another one (and not a superuser): restoring the owners would fail there, so
# everything restored belongs to the role that restores it, as migrate would have made it.
PG_RESTORE_OPTIONS = "--no-owner --no-privileges"


def stdin_is_interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def describe_database() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite 数据库文件 {db['NAME']}"
    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    return f"{connection.display_name} 数据库 {db['NAME']}（{where}，用户 {db.get('USER') or '-'}）"


def describe_media() -> str:
    media = storages["default"]
    if isinstance(media, FileSystemStorage):
        return f"上传文件目录 {media.location}"
    return f"上传文件存储 {type(media).__name__} {getattr(media, 'bucket_name', '')}".strip()


class Command(BaseCommand):
    help = (
        "Restore the database and the uploaded files from backups (the newest unless named), "
        "overwriting both. Asks first; --yes to run without asking."
    )

    def add_arguments(self, parser):
        parser.add_argument("--db-file", help="the database backup (default: the newest)")
        parser.add_argument("--media-file", help="the uploaded-files backup (default: the newest)")
        parser.add_argument(
            "--yes", action="store_true", help="overwrite without asking (scripts, CI)"
        )

    def handle(self, *args, db_file, media_file, yes, verbosity, **options):
        storage = get_storage()
        db_file = self._backup(storage, db_file, "db")
        media_file = self._backup(storage, media_file, "media")
        self.stdout.write(
            f"将从 {backup_location()} 恢复 / about to restore:\n"
            f"  {db_file} → {describe_database()}\n"
            f"    该数据库中的现有数据将全部被备份内容覆盖（表删除后按备份重建）。\n"
            f"  {media_file} → {describe_media()}\n"
            f"    备份中的文件将替换同名文件；备份之后才上传的文件保留不动。\n"
            f"  恢复前请先停止门户（gunicorn）和 Celery worker、beat。"
        )
        if not yes:
            self._confirm()
        common = {"interactive": False, "verbosity": verbosity, "quiet": verbosity == 0}
        pg = {"pg_options": PG_RESTORE_OPTIONS} if connection.vendor == "postgresql" else {}
        call_command("dbrestore", input_filename=db_file, **pg, **common)
        call_command("mediarestore", input_filename=media_file, replace=True, **common)
        self.stdout.write(
            self.style.SUCCESS("恢复完成 / restored.")
            + "\n下一步 / next: manage.py migrate（代码比备份新时补齐迁移）, "
            "然后启动门户和 Celery worker、beat。"
        )

    @staticmethod
    def _backup(storage, name: str | None, content_type: str) -> str:
        """The named backup, which must exist, or the newest unencrypted one of its kind."""
        what = "数据库" if content_type == "db" else "上传文件"
        if name:
            if not storage.storage.exists(name):
                raise CommandError(f"找不到{what}备份 {name} / no such backup（manage.py listbackups）")
            return name
        try:
            return storage.get_latest_backup(
                encrypted=False, compressed=False, content_type=content_type
            )
        except StorageError as error:
            raise CommandError(
                f"{backup_location()} 中没有{what}备份 / no {content_type} backup found"
            ) from error

    def _confirm(self) -> None:
        if not stdin_is_interactive():
            raise CommandError("未确认，未做任何更改。核对无误后加 --yes 再运行 / not confirmed: nothing changed; run again with --yes")
        answer = input("确认覆盖请输入 yes / type yes to overwrite: ")
        if answer.strip().lower() != "yes":
            raise CommandError("已取消，未做任何更改 / cancelled: nothing changed")
