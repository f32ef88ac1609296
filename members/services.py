"""Writes for members, constituents and the inbox. Views, imports, the admin and tasks call these."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, ProtectedError, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from members import events, permissions, rollups
from members.common.figures import figures_changed
from members.common.increments import column_put_right
from members.common.locks import tables_locked
from members.models import Constituent, Council, Member, Notification, User
from members.phones import normalize_phone

log = logging.getLogger(__name__)


def notification_send(
    *,
    users: Iterable[User],
    kind: str,
    subject,
    body="",
    url: str = "",
    key: str,
) -> int:
    """Put a notice in each user's inbox and e-mail it after the transaction commits.

    ``subject`` and ``body`` may be lazy translations: each is rendered in the recipient's
    own language. ``key`` identifies the notice: the same key twice for a user is stored
    once, so a job that runs twice (or a retried task) notifies once. Returns the number of
    active users given, each counted once (already notified ones included).
    """
    users = list({u.pk: u for u in users if u is not None and u.is_active}.values())
    with transaction.atomic():
        # The recipients locked (as every sender locks them): the notices of
        # this key they already have are read under the lock, the others added, and each
        # new one's user's unread counter raised with it (``User.unread_notices``).
        _inbox_locked([u.pk for u in users])
        have = set(
            Notification.objects.filter(user__in=users, key=key).values_list("user_id", flat=True)
        )
        rows = []
        for user in users:
            if user.pk in have:
                continue
            with translation.override(user.language or "zh-hans"):
                rows.append(
                    Notification(
                        user=user, kind=kind, subject=str(subject)[:200], body=str(body), url=url,
                        key=key,
                    )
                )
        Notification.objects.bulk_create(rows)
        User.objects.filter(pk__in=[row.user_id for row in rows]).update(
            unread_notices=F("unread_notices") + 1
        )
    if any(u.email for u in users):
        from members.tasks import enqueue_on_commit, notifications_email

        user_ids = [u.pk for u in users if u.email]
        enqueue_on_commit(notifications_email, user_ids=user_ids, key=key)
    return len(users)


def _inbox_locked(user_ids) -> None:
    """Lock the users' rows, in id order (every sender of notices takes them so: no deadlock)."""
    list(User.objects.select_for_update().filter(pk__in=user_ids).order_by("pk").values_list("pk"))


def notification_read(*, notice: Notification) -> bool:
    """Mark ``notice`` read, and its user's unread counter down with it. A notice already
    read changes nothing (opened twice, in two tabs). Returns whether it was unread."""
    # One conditional update marks it, and only the one that marked it lowers the counter:
    # no lock needed (``unread_recount`` locks the notices against this meanwhile).
    with transaction.atomic():
        read = Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if read:
            User.objects.filter(pk=notice.user_id).update(unread_notices=F("unread_notices") - 1)
    return bool(read)


def unread_recount(*, users=None, council: int | None = None) -> int:
    """Put right the unread counters of ``users`` (ids), or of ``council``'s users (its id),
    or of everyone, that differ from their notices: after notices are changed outside the
    services (the admin, the demo), and by the nightly rollups job. Returns the counters
    written. Idempotent.

    On PostgreSQL the notices are locked against writers meanwhile (``SHARE``: readers go
    on), so that a notice sent or read in flight is either counted or adds itself after."""
    with transaction.atomic():
        tables_locked(Notification, mode="SHARE")
        unread, people = Notification.objects.unread(), User.objects.all()
        if users is not None:
            ids = list(users)
            unread, people = unread.filter(user_id__in=ids), people.filter(pk__in=ids)
        if council is not None:
            unread, people = unread.filter(user__council_id=council), people.filter(council_id=council)
        counts = unread.order_by().values("user_id").annotate(n=Count("pk")).values_list("user_id", "n")
        return column_put_right(people, "unread_notices", dict(counts))


def notification_email(*, notice_id: int, now=None) -> bool:
    """E-mail one notice; True if the mail server accepted it.

    The notice is claimed first (a conditional update that pushes its next attempt a lease
    ahead), so two runs at once never send it twice. It is marked e-mailed only after the
    server accepted it; a failure is counted and remembered, and the notice is tried again
    after 1, 2, 4 … minutes, until ``NOTICE_EMAIL_MAX_ATTEMPTS`` (then the admin lists it
    as failed). A worker that dies mid-send leaves the lease to run out: tried again."""
    now = now or timezone.now()
    lease = now + timedelta(minutes=10)
    claimed = (
        Notification.objects.filter(pk=notice_id, emailed_at__isnull=True)
        .filter(
            Q(email_next_try_at__isnull=True) | Q(email_next_try_at__lte=now),
            email_attempts__lt=settings.NOTICE_EMAIL_MAX_ATTEMPTS,
        )
        .update(email_next_try_at=lease)
    )
    if not claimed:
        return False
    notice = Notification.objects.select_related("user").get(pk=notice_id)
    if not notice.user.email:
        Notification.objects.filter(pk=notice_id).update(email_next_try_at=None)
        return False
    body = notice.body
    if notice.url:
        body = f"{body}\n\n{settings.PORTAL_BASE_URL}{notice.url}"
    try:
        send_mail(notice.subject, body, None, [notice.user.email], fail_silently=False)
    except Exception as error:  # smtplib, socket and TLS errors alike: count and retry
        attempts = notice.email_attempts + 1
        delay = min(2 ** (attempts - 1), settings.NOTICE_EMAIL_RETRY_MAX_MINUTES)
        Notification.objects.filter(pk=notice_id).update(
            email_attempts=attempts,
            email_next_try_at=now + timedelta(minutes=delay),
            email_error=f"{type(error).__name__}: {error}"[:300],
        )
        log.warning("E-mail of notice %s failed (attempt %s)", notice_id, attempts, exc_info=True)
        return False
    Notification.objects.filter(pk=notice_id).update(
        emailed_at=timezone.now(), email_attempts=F("email_attempts") + 1, email_error=""
    )
    return True


def notification_email_retry(*, notices) -> int:
    """Give notices whose e-mail failed a fresh set of attempts (an admin action, once the
    mail server or the address is mended)."""
    return notices.filter(emailed_at__isnull=True).update(
        email_attempts=0, email_next_try_at=timezone.now(), email_error=""
    )


# Councils --------------------------------------------------------------------------------

# What is given when a council is added (the admin's form has these).
COUNCIL_FIELDS = ("name", "short_name", "level", "parent")


def council_create(
    *, by: User | None, name: str, level: str, parent: Council | None = None, short_name: str = ""
) -> Council:
    """Add a council: the operator of the installation in the Django admin (a superuser), or
    the demo and management commands (``by=None``). Raises ``events.council_added`` in the
    same transaction, so the apps built on members set it up at once (activities installs
    the default must-visit rules)."""
    if by is not None and not permissions.is_superuser(by):
        raise PermissionDenied
    council = Council(name=name.strip(), short_name=(short_name or "").strip(), level=level,
                      parent=parent)
    council.full_clean()
    with transaction.atomic():
        council.save()
        events.council_added.send(council=council)
    return council


# Constituents ----------------------------------------------------------------------------

# What a member or staff may set on a constituent; the council and the keeping member come
# from the roster the constituent is added to, not from the form.
CONSTITUENT_FIELDS = frozenset(
    {"name", "phone", "unit", "occupation", "community", "tags", "notes", "consent_note",
     "sector", "active"}
)


def _apply_constituent_fields(constituent: Constituent, fields: dict) -> None:
    unknown = set(fields) - CONSTITUENT_FIELDS
    if unknown:
        raise TypeError(f"not a constituent field: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(constituent, name, value)
    try:
        constituent.phone = normalize_phone(constituent.phone)
    except ValidationError as error:
        raise ValidationError({"phone": error}) from error
    constituent.name = (constituent.name or "").strip()
    if constituent.sector_id and constituent.sector.council_id != constituent.council_id:
        raise ValidationError({"sector": _("Choose a sector of this council.")})


def _check_constituent(constituent: Constituent) -> None:
    """Field checks, then the one-phone-per-roster rule with a message people understand."""
    constituent.full_clean(validate_constraints=False)
    if constituent.phone:
        twin = (
            Constituent.objects.filter(member_id=constituent.member_id)
            .with_phone(constituent.phone)
            .exclude(pk=constituent.pk)
            .values_list("name", flat=True)
            .first()
        )
        if twin is not None:
            raise ValidationError(
                {
                    "phone": _("%(name)s with this phone number is already on this roster.")
                    % {"name": twin}
                },
                code="duplicate_phone",
            )


def constituent_create(*, by: User, member: Member, **fields) -> Constituent:
    """Add a person to ``member``'s roster (by the member or by staff of the council).

    ``fields`` are those of ``CONSTITUENT_FIELDS``; the sector defaults to the member's.
    The phone is normalised (``members.phones``); the same phone twice on one roster, or a
    bad value, raises ``ValidationError`` and nothing is written.
    """
    if not permissions.may_act_for(by, member):
        raise PermissionDenied
    constituent = Constituent(member=member, council_id=member.council_id)
    fields.setdefault("sector", member.sector)
    _apply_constituent_fields(constituent, fields)
    _check_constituent(constituent)
    constituent._history_user = by  # who made the change, in the audit trail
    with transaction.atomic():
        constituent.save()
        if constituent.active:
            rollups.roster_change([(member.pk, constituent.sector_id, +1)])
        events.constituent_added.send(constituent=constituent)
        figures_changed(constituent.council_id)
    return constituent


def _may_change_constituent(by: User, constituent: Constituent) -> bool:
    """Its member, or staff of a council that reaches the constituent's."""
    if not permissions.can_change_constituent(by, constituent):
        return False
    return not permissions.is_staff(by) or (
        Council.objects.in_reach_of(by).filter(pk=constituent.council_id).exists()
    )


def _locked(constituent: Constituent) -> Constituent:
    """The constituent as stored, locked until the transaction ends: the roster counts
    change by what is stored, not by what the page saw."""
    return Constituent.objects.select_for_update().get(pk=constituent.pk)


def _roster_moves(before: Constituent, after: Constituent) -> list[tuple[int, int, int]]:
    """The roster changes of ``before`` becoming ``after`` (``rollups.roster_change``)."""
    changes = []
    if before.active:
        changes.append((before.member_id, before.sector_id, -1))
    if after.active:
        changes.append((after.member_id, after.sector_id, +1))
    return changes


def constituent_update(*, by: User, constituent: Constituent, **fields) -> Constituent:
    """Change a constituent's details (its member, or staff of the council); audited.
    Deactivating takes the person off the roster counts, reactivating puts them back.
    The keeping member stays (``constituent_move`` changes it)."""
    if not _may_change_constituent(by, constituent):
        raise PermissionDenied
    _apply_constituent_fields(constituent, fields)
    _check_constituent(constituent)
    constituent._history_user = by
    with transaction.atomic():
        stored = _locked(constituent)
        constituent.member_id, constituent.council_id = stored.member_id, stored.council_id
        constituent.save()
        rollups.roster_change(_roster_moves(stored, constituent))
        figures_changed(constituent.council_id)
    return constituent


def constituent_move(*, by: User, constituent: Constituent, member: Member) -> Constituent:
    """Hand a constituent over to another member of the same council (staff); audited. The
    same phone twice on the new roster is refused, and nothing changes."""
    if not (permissions.is_staff(by) and _may_change_constituent(by, constituent)
            and permissions.may_act_for(by, member)):
        raise PermissionDenied
    if member.council_id != constituent.council_id:
        raise ValidationError({"member": _("Choose a member of the constituent's council.")})
    moved = copy.copy(constituent)  # checked as moved; the caller's instance only once saved
    moved.member = member
    _check_constituent(moved)
    with transaction.atomic():
        stored = _locked(constituent)
        constituent.member, constituent.council_id = member, stored.council_id
        constituent._history_user = by
        constituent.active, constituent.sector_id = stored.active, stored.sector_id
        constituent.save()
        rollups.roster_change(_roster_moves(stored, constituent))
        figures_changed(constituent.council_id)
    return constituent


def constituent_delete(*, by: User, constituent: Constituent) -> None:
    """Delete a constituent (staff). One who has been contacted is kept for the record
    (deactivate instead): refused with a message, and nothing changes."""
    if not (permissions.is_staff(by) and _may_change_constituent(by, constituent)):
        raise PermissionDenied
    with transaction.atomic():
        stored = _locked(constituent)
        stored._history_user = by
        try:
            stored.delete()  # the protected are found before anything is deleted
        except ProtectedError as error:
            raise ValidationError(
                _("%(name)s has been contacted: deactivate the constituent instead.")
                % {"name": stored.name},
                code="protected",
            ) from error
        if stored.active:
            rollups.roster_change([(stored.member_id, stored.sector_id, -1)])
        figures_changed(stored.council_id)


# Members ---------------------------------------------------------------------------------

# What staff may set on a member; the council and the login are given when the member is
# added and stay.
MEMBER_FIELDS = frozenset(
    {"name", "gender", "sector", "committee", "term", "status", "phone", "unit", "title", "zone"}
)


def _may_keep_members_of(by: User | None, council_id: int) -> bool:
    """Staff of a council that reaches ``council_id``; ``None``: the demo and commands."""
    return by is None or (
        permissions.is_staff(by) and Council.objects.in_reach_of(by).filter(pk=council_id).exists()
    )


def _apply_member_fields(member: Member, fields: dict) -> None:
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise TypeError(f"not a member field: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(member, name, value)
    member.name = (member.name or "").strip()
    errors = {}
    if member.sector_id and member.sector.council_id != member.council_id:
        errors["sector"] = _("Choose a sector of this council.")
    if member.committee_id and member.committee.council_id != member.council_id:
        errors["committee"] = _("Choose a special committee of this council.")
    if errors:
        raise ValidationError(errors)
    member.full_clean()


def member_create(*, by: User | None, council: Council, user: User, **fields) -> Member:
    """Add a member of ``council`` with their login (staff of the council; ``by=None``: the
    demo and commands); counted at once in the roster tally. Audited."""
    if not _may_keep_members_of(by, council.pk):
        raise PermissionDenied
    member = Member(council=council, user=user)
    _apply_member_fields(member, fields)
    member._history_user = by
    with transaction.atomic():
        member.save()
        rollups.members_added([member])
        figures_changed(member.council_id)
    return member


def member_update(*, by: User | None, member: Member, **fields) -> Member:
    """Change a member's details (staff of the council); audited. A new sector, committee,
    status or zone moves the member — and with a new committee their constituents — between
    the roster tally's rows, and ``events.member_changed`` lets the contact counts follow,
    in the same transaction."""
    if not _may_keep_members_of(by, member.council_id):
        raise PermissionDenied
    _apply_member_fields(member, fields)
    member._history_user = by
    with transaction.atomic():
        stored = rollups.member_locked(member.pk)
        member.council_id, member.user_id = stored.council_id, stored.user_id
        member.active_constituents = stored.active_constituents  # as locked; not written
        member.save(update_fields=sorted(MEMBER_FIELDS))
        before, after = rollups.MemberState.of(stored), rollups.MemberState.of(member)
        rollups.member_changed(before, after, member_id=member.pk)
        figures_changed(member.council_id)
        if (before.sector_id, before.committee_id) != (after.sector_id, after.committee_id):
            events.member_changed.send(
                member=member, sector_id=before.sector_id, committee_id=before.committee_id
            )
    return member


def member_delete(*, by: User | None, member: Member) -> None:
    """Delete a member added by mistake (staff). One who keeps constituents or has logged
    contacts is kept (mark them as having left instead): refused, nothing changes."""
    if not _may_keep_members_of(by, member.council_id):
        raise PermissionDenied
    with transaction.atomic():
        stored = rollups.member_locked(member.pk)
        stored._history_user = by
        try:
            stored.delete()  # the protected are found before anything is deleted
        except ProtectedError as error:
            raise ValidationError(
                _("%(name)s keeps constituents or has logged contacts: mark the member as "
                  "having left instead.") % {"name": stored.name},
                code="protected",
            ) from error
        rollups.member_removed(rollups.MemberState.of(stored))
        figures_changed(stored.council_id)
