"""The two imports: members with their logins, and constituents onto their members'
rosters — every row checked first, then all written in one transaction or nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from members import audit, phone_crypto, rollups
from members.common.figures import figures_changed
from members.imports.columns import (
    CONSTITUENT_COLUMNS,
    CONSTITUENT_EXPORT_ONLY,
    GENDERS,
    MEMBER_COLUMNS,
    MEMBER_EXPORT_ONLY,
    Column,
)
from members.imports.reading import (
    ImportReport,
    NameIndex,
    check_cells,
    clean_phone,
    find_named,
    note_folded,
    read_rows,
)
from members.models import Committee, Constituent, Council, Member, Sector, User
from members.phones import normalize_phone

# ---------------------------------------------------------------- members


def _columns(columns) -> dict[str, Column]:
    return {c.key: c for c in columns}


def validate_members(council: Council, rows, report: ImportReport) -> list[dict]:
    col = _columns(MEMBER_COLUMNS)
    sectors = NameIndex(Sector.objects.filter(council=council))
    committees = NameIndex(Committee.objects.filter(council=council))
    phones = [normalize_or_blank(cells["phone"]) for _n, cells in rows]
    taken_members = set(
        Member.objects.filter(council=council, phone__in=phones).values_list("phone", flat=True)
    )
    taken_logins = set(User.objects.filter(username__in=phones).values_list("username", flat=True))
    seen: dict[str, int] = {}
    valid = []
    for number, cells in rows:
        before = len(report.errors)
        check_cells(number, cells, MEMBER_COLUMNS, report)
        phone = clean_phone(number, col["phone"], cells, report)
        sector = find_named(number, col["sector"], cells, sectors, report) if cells["sector"] else None
        if cells["sector"] and sector is None:
            report.add(number, col["sector"].header, _("Unknown sector “%(name)s”.") % {"name": cells["sector"]})
        committee = find_named(number, col["committee"], cells, committees, report) if cells["committee"] else None
        if cells["committee"] and committee is None:
            report.add(
                number, col["committee"].header,
                _("Unknown special committee “%(name)s”.") % {"name": cells["committee"]},
            )
        gender = GENDERS.get(cells["gender"], "")
        if cells["gender"] and not gender:
            report.add(number, col["gender"].header, _("Write 男 or 女, or leave it empty."))
        if phone:
            if phone in seen:
                report.add(
                    number, col["phone"].header,
                    _("Same phone number as row %(row)s of this file.") % {"row": seen[phone]},
                )
            elif phone in taken_members:
                report.add(number, col["phone"].header, _("A member with this phone number already exists."))
            elif phone in taken_logins:
                report.add(number, col["phone"].header, _("A login with this phone number already exists."))
            seen.setdefault(phone, number)
        if len(report.errors) == before:
            valid.append({
                "name": cells["name"], "phone": phone, "gender": gender, "sector": sector,
                "committee": committee, "term": cells["term"] or "第十届", "unit": cells["unit"],
                "title": cells["title"], "zone": cells["zone"],
            })
    return valid


def normalize_or_blank(value: str) -> str:
    try:
        return normalize_phone(value) if value else ""
    except ValidationError:
        return ""


def members_import(*, council: Council, upload, by: User) -> ImportReport:
    """Create the members of an uploaded file, with their logins, or nothing at all.

    Each login's username is the member's phone number; its password is unusable until
    staff set one (or the member resets it), so nobody can log in with a guessed password;
    either way the member chooses their own at the first login (``must_change_password``).
    """

    def write(valid: list[dict]) -> None:
        users = []
        for data in valid:
            user = User(
                username=data["phone"], display_name=data["name"],
                role=User.Role.MEMBER, council=council, must_change_password=True,
            )
            user.set_unusable_password()
            users.append(user)
        users = User.objects.bulk_create(users)
        members = [
            Member(user=user, council=council, status=Member.Status.ACTIVE, **data)
            for user, data in zip(users, valid, strict=True)
        ]
        members = bulk_create_with_history(members, Member, default_user=by)
        rollups.members_added(members)  # in the import's transaction
        figures_changed(council.pk)

    return _import(
        council, upload, MEMBER_COLUMNS, MEMBER_EXPORT_ONLY, validate=validate_members, write=write,
        by=by, kind="members",
    )


# ---------------------------------------------------------------- constituents


def validate_constituents(council: Council, rows, report: ImportReport) -> list[dict]:
    col = _columns(CONSTITUENT_COLUMNS)
    sectors = NameIndex(Sector.objects.filter(council=council))
    members_by_name = NameIndex(Member.objects.filter(council=council).select_related("sector"))
    # The numbers are sealed: found by their keyed hashes, read back as numbers.
    wanted = {normalize_or_blank(cells["phone"]) for _n, cells in rows} - {""}
    taken = set(
        Constituent.objects.filter(council=council)
        .filter(phone_hash__in=[h for phone in wanted for h in phone_crypto.digests(phone)])
        .values_list("member_id", "phone")
    )
    seen: dict[tuple[int, str], int] = {}
    valid = []
    for number, cells in rows:
        before = len(report.errors)
        check_cells(number, cells, CONSTITUENT_COLUMNS, report)
        phone = clean_phone(number, col["phone"], cells, report)
        member = _find_member(number, cells, members_by_name, col, report)
        if cells["sector"]:
            sector = find_named(number, col["sector"], cells, sectors, report)
        else:
            sector = getattr(member, "sector", None)
        if cells["sector"] and sector is None:
            report.add(number, col["sector"].header, _("Unknown sector “%(name)s”.") % {"name": cells["sector"]})
        if member is not None and phone:
            key = (member.pk, phone)
            if key in seen:
                report.add(
                    number, col["phone"].header,
                    _("Same phone number as row %(row)s of this file.") % {"row": seen[key]},
                )
            elif key in taken:
                report.add(
                    number, col["phone"].header,
                    _("%(member)s already keeps a constituent with this phone number.") % {"member": member.name},
                )
            seen.setdefault(key, number)
        if len(report.errors) == before:
            valid.append({
                "name": cells["name"], "phone": phone, "member": member, "sector": sector,
                "unit": cells["unit"], "occupation": cells["occupation"],
                "community": cells["community"], "tags": cells["tags"], "notes": cells["notes"],
            })
    return valid


def _find_member(number, cells, members_by_name, col, report):
    if not cells["member"]:
        return None
    candidates, folded = members_by_name.find(cells["member"])
    if cells["member_phone"] and len(candidates) > 1:
        phone = normalize_or_blank(cells["member_phone"])
        candidates = [m for m in candidates if m.phone == phone]
    if not candidates:
        report.add(number, col["member"].header, _("Unknown member “%(name)s”.") % {"name": cells["member"]})
        return None
    if len(candidates) > 1:
        report.add(
            number, col["member"].header,
            _("Several members are called “%(name)s”: fill in the member's phone number.") % {"name": cells["member"]},
        )
        return None
    if folded:
        note_folded(number, col["member"], cells["member"], folded, report)
    return candidates[0]


def constituents_import(*, council: Council, upload, by: User) -> ImportReport:
    """Add the constituents of an uploaded file to their members' rosters, or nothing at all."""

    def write(valid: list[dict]) -> None:
        constituents = bulk_create_with_history(
            [Constituent(council=council, **data) for data in valid], Constituent, default_user=by
        )
        rollups.constituents_added(constituents)  # in the import's transaction
        figures_changed(council.pk)

    return _import(
        council, upload, CONSTITUENT_COLUMNS, CONSTITUENT_EXPORT_ONLY,
        validate=validate_constituents, write=write, by=by, kind="constituents",
    )


def _import(council: Council, upload, columns, ignored, *, validate, write, by: User,
            kind: str) -> ImportReport:
    """Read and check every row (``validate`` returns the clean ones), then ``write`` them
    all in one transaction — or, on any error, nothing. Either way the security audit says
    who imported which file into which council, and what came of it."""
    report = ImportReport()
    rows = read_rows(upload, columns, report, ignored=ignored)
    report.rows = len(rows)
    valid = validate(council, rows, report) if rows else []

    def audited(result: str, created: int = 0) -> None:
        audit.record(
            audit.Action.IMPORT, request=audit.current_request(), user=by, obj=council, result=result,
            detail={"kind": kind, "file": getattr(upload, "name", ""), "rows": report.rows,
                    "created": created, "errors": len(report.errors)},
        )

    if not report.ok:
        audited("refused")
        return report
    try:
        with transaction.atomic():
            write(valid)
            audited("ok", len(valid))
    except IntegrityError:
        report.add(0, "", _("Another change saved the same phone number meanwhile. Nothing was imported; please try again."))
        audited("failed")
        return report
    report.created = len(valid)
    return report
