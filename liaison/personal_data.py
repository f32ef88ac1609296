"""A constituent's personal data on request (个人信息保护法: 查阅复制, 删除): one person's record
and every contact that names them, as a workbook; and their erasure.

Here, in the top layer, because a person's data spans the apps: their record (members), the
contact logs, opinions and difficulties recorded with them, the activities that name them
and the must-visit reminders about them (activities).

Erasure anonymises rather than deletes: the contact logs that name the person are a
member's duty record and the statistics count them, so the person stays as a row called
"已注销群众" with nothing that identifies them — no phone, unit, occupation, community, tags,
notes or consent note, and no earlier versions in the change history — and inactive. It goes
through ``members.services.constituent_update``, so the roster counts and the tallies move as
for any deactivation; the contact counts (``ContactDay``) are untouched, as they should be.
Their name is replaced in the summaries and opinions of the logs that name them (and in the
public-opinion reports written from those logs), and their
open must-visit reminders are dismissed (with the reason). Photos attached to those logs are
the member's evidence of the visit and may show others: they stay, and staff delete any that
show the person on the log's page.
"""

from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from activities.models import Activity, ContactLog, Reminder
from activities.reminders.services.closing import reminder_dismiss
from members import permissions, services
from members.models import Constituent, User
from members.xlsx import keep_formulas_as_text
from opinions.models import Report

# What an erased person is called from then on (data, the same in every language).
ERASED_NAME = "已注销群众"
REASON_MAX = 200
# The fields that identify a person, and what they become.
ERASED_FIELDS = {
    "name": ERASED_NAME, "phone": "", "unit": "", "occupation": "", "community": "",
    "tags": "", "notes": "", "consent_note": "", "active": False,
}


def visible_constituent(user, pk: int) -> Constituent:
    """The constituent ``pk`` if ``user`` may handle their data: staff of a council that
    reaches theirs. Outside the user's reach → ``Constituent.DoesNotExist`` (a 404);
    visible but not staff → ``PermissionDenied``."""
    constituent = (
        Constituent.objects.visible_to(user).select_related("member", "sector", "council")
        .get(pk=pk)
    )
    permissions.require(permissions.is_staff(user))
    return constituent


def is_erased(constituent: Constituent) -> bool:
    return constituent.name == ERASED_NAME and not constituent.active and not constituent.phone


# ---------------------------------------------------------------- the record, as a workbook


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


SHEET_RECORD = gettext_lazy("Constituent record")
SHEET_CONTACTS = gettext_lazy("Contact logs")


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _labels(model, *fields) -> list[str]:
    """The fields' names as the portal shows them (their verbose names, translated)."""
    return [capfirst(str(model._meta.get_field(f).verbose_name)) for f in fields]


RECORD_FIELDS = ("name", "phone", "unit", "occupation", "community", "tags", "notes",
                 "consent_note")


def dossier(constituent: Constituent) -> dict[str, list]:
    """Every sheet of the person's workbook: {sheet title: [header row, rows…]}: their record,
    the contact logs that name them (and of those, the opinions and the difficulties), their
    reminders and the activities that name them."""
    c = constituent
    record = [[_("Field"), _("Value")]]
    record += [[label, getattr(c, f)] for label, f in
               zip(_labels(Constituent, *RECORD_FIELDS), RECORD_FIELDS, strict=True)]
    record += [
        [label, value] for label, value in zip(
            _labels(Constituent, "sector", "member", "council", "active", "created_at",
                    "last_contacted_at"),
            [c.sector.name, c.member.name, c.council.name, _yes_no(c.active),
             _local(c.created_at), _local(c.last_contacted_at)],
            strict=True,
        )
    ]
    logs = list(
        ContactLog.objects.filter(constituents=c)
        .select_related("member", "platform", "proposal")
        .order_by("contacted_at", "id")
    )
    when, member, said, opinions_raised, kind, proposal_label = _labels(
        ContactLog, "contacted_at", "member", "summary", "opinions", "difficulty_kind",
        "proposal",
    )
    contacts = [[when, member, *_labels(ContactLog, "channel", "mode", "platform"), said,
                 opinions_raised, kind, proposal_label]]
    opinions = [[when, member, opinions_raised, proposal_label]]
    difficulties = [[when, member, kind, said]]
    for log in logs:
        at, by = _local(log.contacted_at), log.member.name
        proposal = log.proposal.title if log.proposal else ""
        difficulty = log.get_difficulty_kind_display() if log.difficulty else ""
        contacts.append([
            at, by, log.get_channel_display(), log.get_mode_display(),
            log.platform.name if log.platform else "", log.summary, log.opinions, difficulty,
            proposal,
        ])
        if log.opinions:
            opinions.append([at, by, log.opinions, proposal])
        if log.difficulty:
            difficulties.append([at, by, difficulty, log.summary])
    reminders = [_labels(Reminder, "rule", "note", "due_on", "state", "dismissed_reason")]
    for reminder in (
        Reminder.objects.filter(constituent=c).select_related("rule").order_by("due_on", "id")
    ):
        reminders.append([str(reminder.rule), reminder.note, reminder.due_on,
                          reminder.get_state_display(), reminder.dismissed_reason])
    activities = [[_("Activity name"), *_labels(Activity, "starts_at")]]
    for activity in Activity.objects.filter(constituents=c).order_by("starts_at", "id"):
        activities.append([activity.title, _local(activity.starts_at)])
    return {
        SHEET_RECORD: record,
        SHEET_CONTACTS: contacts,
        _("Opinions"): opinions,
        _("Difficulties reported"): difficulties,
        _("Must-visit reminders"): reminders,
        _("Activities"): activities,
    }


def workbook_bytes(sheets: dict[str, list]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title=str(title)[:31])
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
    keep_formulas_as_text(book)  # a note typed as "=…" stays text, never a live formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- erasure

ERASED_REMINDER_REASON = gettext_lazy("The constituent's personal data was erased on request.")


def constituent_erase(*, by: User, constituent: Constituent, reason: str) -> Constituent:
    """Erase a constituent's identifying data on their request (staff of a council that
    reaches theirs), keeping the statistics. ``reason`` (how and when they asked) is
    required. Refused with a message, and nothing changes, if it is blank or the person is
    erased already."""
    if not permissions.is_staff(by):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say who asked for the erasure, and how.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}}
        )
    with transaction.atomic():
        stored = Constituent.objects.select_for_update().get(pk=constituent.pk)
        if is_erased(stored):
            raise ValidationError(_("This constituent's data has been erased already."))
        old_name = stored.name
        # The earlier versions hold the name and the (sealed) number: gone; the erasure
        # itself is the first version kept.
        stored.history.all().delete()
        services.constituent_update(by=by, constituent=stored, **ERASED_FIELDS)
        logs = ContactLog.objects.filter(constituents=stored)
        if len(old_name) >= 2:  # a one-character "name" would mangle every text
            logs.update(
                summary=Replace("summary", Value(old_name), Value(ERASED_NAME)),
                opinions=Replace("opinions", Value(old_name), Value(ERASED_NAME)),
            )
            # 社情民意信息 written from those contacts carry their opinions' text too.
            Report.objects.filter(contact_log_id__in=logs.values("pk")).update(
                title=Replace("title", Value(old_name), Value(ERASED_NAME)),
                body=Replace("body", Value(old_name), Value(ERASED_NAME)),
            )
        for reminder in Reminder.objects.filter(constituent=stored).pending():
            reminder_dismiss(reminder=reminder, reason=str(ERASED_REMINDER_REASON), by=by)
    return stored
