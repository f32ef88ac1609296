"""Writes for consultations and the problems they raise; a consultation's must-visit
reminders follow it (created on commit, moved with its date)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.common.photos import photos_save
from activities.events.models import (
    Consultation,
    ConsultationPhoto,
    Problem,
)
from activities.events.services.photos import check_photos, photos_change
from activities.reminders.services import triggers
from members import permissions
from members.common.figures import figures_changed
from members.models import Council, Member, Platform, Sector, User

# --- consultations ----------------------------------------------------------------------


def _clean_consultation(
    *, council: Council, platform: Platform | None, members: Sequence[Member],
    sectors: Sequence[Sector] = (),
) -> None:
    errors = {}
    if platform is not None and platform.council_id != council.pk:
        errors["platform"] = _("Choose one of this council.")
    if any(m.council_id != council.pk for m in members):
        errors["members"] = _("Choose members of this council.")
    if any(s.council_id != council.pk for s in sectors):
        errors["sectors"] = _("Choose sectors of this council.")
    if errors:
        raise ValidationError(errors)


def consultation_create(
    *,
    council: Council,
    by: User | None,
    topic: str,
    held_on: date,
    platform: Platform | None = None,
    host: str = "",
    members: Iterable[Member] = (),
    sectors: Iterable[Sector] = (),
    officials_count: int = 0,
    officials_names: str = "",
    constituents_count: int = 0,
    constituents_names: str = "",
    minutes: str = "",
    photos: Sequence = (),
) -> Consultation:
    members, sectors = list(members), list(sectors)
    _clean_consultation(council=council, platform=platform, members=members, sectors=sectors)
    check_photos(existing=0, photos=photos)
    with transaction.atomic():
        consultation = Consultation.objects.create(
            council=council, topic=topic, held_on=held_on, platform=platform, host=host,
            officials_count=officials_count, officials_names=officials_names,
            constituents_count=constituents_count, constituents_names=constituents_names,
            minutes=minutes, created_by=by,
        )
        consultation.members.set(members)
        consultation.sectors.set(sectors)
        photos_save(ConsultationPhoto, photos, consultation=consultation)
        # Must-visit rule 7 ("before a consultation"): reminders for the participating
        # members and the members of the sectors involved, enqueued on commit (the daily
        # sweep catches up if the broker is down).
        triggers.enqueue_for_consultation(consultation)
        figures_changed(council.pk)
    return consultation


CONSULTATION_FIELDS = {
    "topic", "held_on", "platform", "host", "officials_count", "officials_names",
    "constituents_count", "constituents_names", "minutes",
}


def consultation_update(
    *,
    consultation: Consultation,
    by: User | None,
    members: Iterable[Member] | None = None,
    sectors: Iterable[Sector] | None = None,
    photos: Sequence = (),
    remove_photo_ids: Iterable[int] = (),
    **fields,
) -> Consultation:
    unknown = set(fields) - CONSULTATION_FIELDS
    if unknown:
        raise TypeError(f"unknown consultation fields: {sorted(unknown)}")
    members = list(members) if members is not None else list(consultation.members.all())
    sectors = list(sectors) if sectors is not None else list(consultation.sectors.all())
    _clean_consultation(
        council=consultation.council, platform=fields.get("platform", consultation.platform),
        members=members, sectors=sectors,
    )
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        photos_change(consultation, ConsultationPhoto, add=photos, remove_ids=remove_photo_ids)
        moved = "held_on" in fields and fields["held_on"] != consultation.held_on
        for name, value in fields.items():
            setattr(consultation, name, value)
        consultation.save()
        consultation.members.set(members)
        consultation.sectors.set(sectors)
        if moved:  # the open reminders follow the new date at once, not at the next sweep
            triggers.reminders_follow_consultation_date(consultation=consultation)
        # Members (or sectors) added since get their reminder now (idempotent by period key).
        triggers.enqueue_for_consultation(consultation)
        figures_changed(consultation.council_id)
    return consultation


# --- problems ---------------------------------------------------------------------------


def problem_create(
    *,
    consultation: Consultation,
    by: User | None,
    description: str,
    raised_by: str = "",
    responsible_unit: str = "",
) -> Problem:
    if not description.strip():
        raise ValidationError({"description": _("Describe the problem.")})
    with transaction.atomic():
        figures_changed(consultation.council_id)
        return Problem.objects.create(
            consultation=consultation, description=description.strip(), raised_by=raised_by,
            responsible_unit=responsible_unit,
        )


def problem_set_state(
    *,
    problem: Problem,
    by: User | None,
    state: str,
    resolution: str = "",
    resolved_on: date | None = None,
) -> Problem:
    """open → in progress → resolved / not solvable. Resolved needs how and when; not
    solvable needs why. Final states do not change again."""
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=problem.pk)
        if not problem.can_become(state):
            raise ValidationError(
                _("A problem cannot go from “%(old)s” to “%(new)s”.")
                % {"old": problem.get_state_display(), "new": _state_label(state)}
            )
        resolution = resolution.strip()
        if state == Problem.State.RESOLVED:
            errors = {}
            if not resolution:
                errors["resolution"] = _("Say how the problem was resolved.")
            if resolved_on is None:
                errors["resolved_on"] = _("Give the date it was resolved.")
            elif resolved_on > timezone.localdate():
                errors["resolved_on"] = _("The date it was resolved cannot be in the future.")
            elif resolved_on < problem.consultation.held_on:
                errors["resolved_on"] = _("The date it was resolved cannot be before the consultation.")
            if errors:
                raise ValidationError(errors)
        if state == Problem.State.NOT_SOLVABLE and not resolution:
            raise ValidationError({"resolution": _("Say why the problem cannot be solved.")})
        problem.state = state
        if resolution:
            problem.resolution = resolution
        problem.resolved_on = resolved_on if state == Problem.State.RESOLVED else None
        problem.save()
        figures_changed(problem.consultation.council_id)
    return problem


def _state_label(state: str) -> str:
    return str(dict(Problem.State.choices).get(state, state))


def _check_proposal(council_id: int, proposal, by: User) -> None:
    from proposals.models import Proposal

    if not Proposal.objects.visible_to(by).filter(pk=proposal.pk, council_id=council_id).exists():
        raise ValidationError(_("Choose a proposal of this council."))


def problem_to_proposal(*, problem: Problem, proposal, by: User) -> Problem:
    """Record that a problem became (or went into) an existing proposal."""
    permissions.require(permissions.is_staff(by))
    _check_proposal(problem.consultation.council_id, proposal, by)
    with transaction.atomic():
        problem.proposal = proposal
        problem.save(update_fields=["proposal", "updated_at"])
    return problem


def consultation_to_proposal(*, consultation: Consultation, proposal, by: User) -> Consultation:
    permissions.require(permissions.is_staff(by))
    _check_proposal(consultation.council_id, proposal, by)
    with transaction.atomic():
        consultation.proposal = proposal
        consultation.save(update_fields=["proposal"])
    return consultation
