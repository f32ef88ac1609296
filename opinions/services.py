"""Every write of a public-opinion report: submit, edit, the three decisions, instructions.

The rules are one table (``TRANSITIONS``): who acts and in which state. Each service locks the
report, checks the rule and the caller's copy (``version``), writes the report and the level's
routing together in one transaction, and puts the change of state in the security audit;
anything else is refused with a Chinese message and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import ContactLog
from members import audit, permissions
from members.common import clock
from members.common.figures import figures_changed
from members.models import Member, User
from members.services import notification_send
from opinions.models import Instruction, Report, ReportRouting

MAX_TITLE = 100
MAX_BODY = 5_000
MAX_REASON = 1_000

State = Report.State
Decision = ReportRouting.Decision


class ReportError(ValidationError):
    """The step is not possible now, or the input is bad."""


@dataclass(frozen=True)
class Rule:
    actor: str  # "author" or "office" (staff of the council that holds the report now)
    sources: frozenset[str]


TRANSITIONS = {
    "edit": Rule("office", frozenset({State.PENDING})),
    "forward": Rule("office", frozenset({State.PENDING})),
    "adopt": Rule("office", frozenset({State.PENDING})),
    "not_use": Rule("office", frozenset({State.PENDING})),
}


def _refuse(message, code: str = "invalid", **params):
    raise ReportError(message, code=code, params=params or None)


def is_office(user, council_id: int) -> bool:
    """Staff (admins included) of exactly that council: a city's office decides in the city's
    queue, not in its districts'."""
    return (
        user.is_authenticated
        and user.role in permissions.STAFF_ROLES
        and user.council_id == council_id
    )


def may(user, action: str, report: Report) -> bool:
    """Whether ``user`` may do ``action`` to ``report`` now (for the pages' buttons)."""
    if action == "instruct":
        return report.state == State.ADOPTED and is_office(user, report.current_council_id)
    rule = TRANSITIONS[action]
    return report.state in rule.sources and is_office(user, report.current_council_id)


def _text(value: str, limit: int, label, *, field: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ReportError({field: _("Enter the %(label)s.") % {"label": label}}, code="required")
    if len(value) > limit:
        raise ReportError({field: _("At most %(n)s characters.") % {"n": limit}}, code="too_long")
    return value


def _lock(report: Report, action: str, by: User, expected_version: int | None) -> Report:
    locked = Report.objects.select_for_update().get(pk=report.pk)
    rule = TRANSITIONS[action]
    # The office of the copy the caller acted on: whether another office's decision moved the
    # report on while this one waited for the lock, the caller hears "changed meanwhile"
    # (below), not "not allowed" — and an unchanged report is at that same council.
    if not is_office(by, report.current_council_id):
        raise PermissionDenied
    if (expected_version is not None and expected_version != locked.version) or (
        locked.state != report.state or locked.current_council_id != report.current_council_id
    ):
        _refuse(_("Someone else changed this report in the meantime. Reload the page and try "
                  "again."), code="conflict")
    if locked.state not in rule.sources:
        _refuse(_("This cannot be done while the report is “%(state)s”."), code="state",
                state=locked.get_state_display())
    return locked


def _routing(report: Report) -> ReportRouting:
    return ReportRouting.objects.select_for_update().get(
        report=report, council_id=report.current_council_id
    )


def _saved(report: Report, fields: list[str], *, audit_action: str, by: User, **detail) -> Report:
    report.version += 1
    report.updated_at = clock.now()
    report.save(update_fields=[*fields, "version", "updated_at"])
    figures_changed(report.council_id)
    if report.current_council_id != report.council_id:
        figures_changed(report.current_council_id)
    audit.record(audit.Action.REPORT_STATE, request=audit.current_request(), user=by, obj=report,
                 detail={"action": audit_action, **detail})
    return report


NOTICES = {
    "forward": _("Your report “%(title)s” was forwarded to %(council)s"),
    "adopt": _("Your report “%(title)s” was adopted by %(council)s"),
    "not_use": _("Your report “%(title)s” was not used by %(council)s"),
    "instruct": _("A leader gave an instruction on your report “%(title)s”"),
}


def _tell_author(report: Report, action: str, council_name: str) -> None:
    """The author hears of each decision and instruction (in-app, and e-mail on commit)."""
    user_id = Member.objects.filter(pk=report.member_id).values_list("user_id", flat=True).first()
    if user_id is None:
        return
    notification_send(
        users=User.objects.filter(pk=user_id), kind=f"report_{action}",
        subject=NOTICES[action] % {"title": report.title, "council": council_name},
        url=report.get_absolute_url(), key=f"report-{report.pk}-{report.version}-{action}",
    )


# --- the author -----------------------------------------------------------------------------


def report_submit(*, member: Member, by: User, title: str, body: str,
                  contact_log: ContactLog | None = None) -> Report:
    """A member's report, into the queue of the member's council. ``contact_log``: the contact
    whose opinions it carries (the member's own)."""
    if permissions.member_of(by) != member:
        raise PermissionDenied
    title = _text(title, MAX_TITLE, _("title"), field="title")
    body = _text(body, MAX_BODY, _("report"), field="body")
    if contact_log is not None and contact_log.member_id != member.pk:
        _refuse({"contact_log": _("Choose one of your own contacts.")})
    now = clock.now()
    with transaction.atomic():
        report = Report.objects.create(
            council_id=member.council_id, member=member, contact_log=contact_log, title=title,
            body=body, current_council_id=member.council_id, submitted_at=now, updated_at=now,
        )
        ReportRouting.objects.create(report=report, council_id=member.council_id, received_at=now)
        figures_changed(report.council_id)
        audit.record(audit.Action.REPORT_STATE, request=audit.current_request(), user=by,
                     obj=report, detail={"action": "submit", "to": State.PENDING})
    return report


# --- the office of the council that holds the report ------------------------------------------


def report_edit(*, report: Report, by: User, title: str, body: str,
                expected_version: int | None = None) -> Report:
    """The office's edit of the text before it decides (编辑加工)."""
    title = _text(title, MAX_TITLE, _("title"), field="title")
    body = _text(body, MAX_BODY, _("report"), field="body")
    with transaction.atomic():
        locked = _lock(report, "edit", by, expected_version)
        if (locked.title, locked.body) == (title, body):
            return locked
        locked.title, locked.body = title, body
        return _saved(locked, ["title", "body"], audit_action="edit", by=by,
                      council=locked.current_council_id)


def _decide(routing: ReportRouting, decision: str, by: User, reason: str = "") -> None:
    routing.decision = decision
    routing.decided_at = clock.now()
    routing.decided_by = by
    routing.reason = reason
    routing.save(update_fields=["decision", "decided_at", "decided_by", "reason"])


def report_forward(*, report: Report, by: User, expected_version: int | None = None) -> Report:
    """报送: to the queue of the council above."""
    with transaction.atomic():
        locked = _lock(report, "forward", by, expected_version)
        parent_id = locked.current_council.parent_id
        if parent_id is None:
            _refuse(_("This council has no council above it to forward to."), code="top")
        _decide(_routing(locked), Decision.FORWARDED, by)
        ReportRouting.objects.create(report=locked, council_id=parent_id, received_at=clock.now())
        from_council = locked.current_council_id
        locked.current_council_id = parent_id
        locked.times_forwarded += 1
        _saved(locked, ["current_council", "times_forwarded"], audit_action="forward", by=by,
               council=from_council, to_council=parent_id)
        figures_changed(parent_id)
        _tell_author(locked, "forward", locked.current_council.name)
        return locked


def report_adopt(*, report: Report, by: User, expected_version: int | None = None) -> Report:
    """采用 at this level: the report's journey ends here."""
    with transaction.atomic():
        locked = _lock(report, "adopt", by, expected_version)
        _decide(_routing(locked), Decision.ADOPTED, by)
        locked.state = State.ADOPTED
        locked.adopted_at = clock.now()
        _saved(locked, ["state", "adopted_at"], audit_action="adopt", by=by,
               council=locked.current_council_id, to=State.ADOPTED)
        _tell_author(locked, "adopt", locked.current_council.name)
        return locked


def report_not_use(*, report: Report, by: User, reason: str,
                   expected_version: int | None = None) -> Report:
    """不予采用, with the reason the author reads."""
    reason = _text(reason, MAX_REASON, _("reason"), field="reason")
    with transaction.atomic():
        locked = _lock(report, "not_use", by, expected_version)
        _decide(_routing(locked), Decision.NOT_USED, by, reason)
        locked.state = State.NOT_USED
        _saved(locked, ["state"], audit_action="not_use", by=by,
               council=locked.current_council_id, to=State.NOT_USED)
        _tell_author(locked, "not_use", locked.current_council.name)
        return locked


def instruction_record(*, report: Report, by: User, leader: str, text: str,
                       given_on: date) -> Instruction:
    """批示: a leader's instruction on a report adopted at the recording office's council."""
    leader = _text(leader, 50, _("leader"), field="leader")
    text = _text(text, MAX_BODY, _("instruction"), field="text")
    if given_on is None:
        _refuse({"given_on": _("Enter the date of the instruction.")}, code="required")
    if given_on > clock.localdate():
        _refuse({"given_on": _("The date of the instruction cannot be in the future.")})
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not is_office(by, locked.current_council_id):
            raise PermissionDenied
        if locked.state != State.ADOPTED:
            _refuse(_("Only an adopted report receives instructions."), code="state")
        if given_on < timezone.localdate(locked.adopted_at):
            _refuse({"given_on": _("The instruction cannot be dated before the adoption.")})
        routing = _routing(locked)
        now = clock.now()
        instruction = Instruction.objects.create(
            routing=routing, leader=leader, text=text, given_on=given_on, recorded_by=by,
            recorded_at=now,
        )
        fields = []
        if locked.instructed_at is None:
            locked.instructed_at = now
            fields.append("instructed_at")
        _saved(locked, fields, audit_action="instruct", by=by, council=routing.council_id,
               leader=leader)
        _tell_author(locked, "instruct", "")
    return instruction

