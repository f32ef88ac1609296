"""manage.py report --from 2023-01-01 --to 2024-12-31 [--council 新兴区政协] [--out file.xlsx]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from liaison import reports
from liaison.dashboard.scope import Scope
from members.models import Council


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("Enter dates as YYYY-MM-DD: %(value)s") % {"value": value}) from error


class Command(BaseCommand):
    help = ("Write the period report (.xlsx: summary, members with duty points, platforms, "
            "contacts, proposals, activities, consultations and problems) and print its "
            "summary paragraph.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        parser.add_argument("--council", help="the council's name (default: the only district)")
        parser.add_argument("--out", help="the .xlsx file to write (default: report-FROM-TO.xlsx)")
        parser.add_argument("--language", default="zh-hans")

    def handle(self, *args, date_from, date_to, council, out, language, **options):
        start, end = _day(date_from), _day(date_to)
        if start > end:
            raise CommandError(_("The period must end on or after the day it starts."))
        council = self._council(council)
        scope = Scope(council_id=council.pk)
        out = out or f"report-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
        with translation.override(language):
            content = reports.workbook(scope, council.name, start, end)
            text = reports.paragraph(reports.collect(scope, council.name, start, end))
        with open(out, "wb") as handle:
            handle.write(content)
        self.stdout.write(text)
        self.stdout.write(self.style.SUCCESS(f"→ {out}"))

    def _council(self, name):
        if name:
            try:
                return Council.objects.get(name=name)
            except Council.DoesNotExist as error:
                raise CommandError(_("There is no council named %(name)s.") % {"name": name}) from error
        districts = Council.objects.filter(level=Council.Level.DISTRICT)
        if districts.count() != 1:
            raise CommandError(_("Name the council with --council."))
        return districts.get()
