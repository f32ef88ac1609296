"""Writes for members, constituents and the inbox. Views, imports, the admin and tasks call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members import permissions
from members.models import Constituent, Council, Member, Notification, User
from members.phones import normalize_phone


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
    users given (already notified ones included).
    """
    users = [u for u in users if u is not None and u.is_active]
    rows = []
    for user in users:
        with translation.override(user.language or "zh-hans"):
            rows.append(
                Notification(
                    user=user, kind=kind, subject=str(subject)[:200], body=str(body), url=url, key=key
                )
            )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(u.email for u in users):
        from members.tasks import enqueue_on_commit, notifications_email

        user_ids = [u.pk for u in users if u.email]
        enqueue_on_commit(notifications_email, user_ids=user_ids, key=key)
    return len(users)


# Constituents ----------------------------------------------------------------------------

# What a member or staff may set on a constituent; the council and the keeping member come
# from the roster the constituent is added to, not from the form.
CONSTITUENT_FIELDS = frozenset(
    {"name", "phone", "unit", "occupation", "community", "tags", "notes", "consent_note",
     "sector", "active"}
)


def _may_keep_roster_of(user: User, member: Member) -> bool:
    """The member themself, or staff of a council that reaches the member's council."""
    if permissions.member_of(user) == member and permissions.is_member(user):
        return True
    return permissions.is_staff(user) and (
        Council.objects.filter(permissions.council_q(user, field="pk"), pk=member.council_id).exists()
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
            Constituent.objects.filter(member_id=constituent.member_id, phone=constituent.phone)
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
    if not _may_keep_roster_of(by, member):
        raise PermissionDenied
    constituent = Constituent(member=member, council_id=member.council_id)
    fields.setdefault("sector", member.sector)
    _apply_constituent_fields(constituent, fields)
    _check_constituent(constituent)
    constituent._history_user = by  # who made the change, in the audit trail
    with transaction.atomic():
        constituent.save()
    return constituent


def constituent_update(*, by: User, constituent: Constituent, **fields) -> Constituent:
    """Change a constituent's details (its member, or staff of the council); audited."""
    if not permissions.can_change_constituent(by, constituent):
        raise PermissionDenied
    if permissions.is_staff(by) and not (
        Council.objects.filter(
            permissions.council_q(by, field="pk"), pk=constituent.council_id
        ).exists()
    ):
        raise PermissionDenied
    _apply_constituent_fields(constituent, fields)
    _check_constituent(constituent)
    constituent._history_user = by
    with transaction.atomic():
        constituent.save()
    return constituent
