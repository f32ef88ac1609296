"""The acts the security audit records across the apps: exports and downloads of personal
data (who, which filter, how many rows), whole phone numbers shown, imports, proposal state
changes."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from members.audit import Action, AuditEntry
from members.imports import CONSTITUENT_COLUMNS
from proposals import services as proposal_services
from proposals.models import State
from tests.factories import ConstituentFactory
from tests.proposals.factories import proposal_in


def mark() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def entries(action, since):
    return list(AuditEntry.objects.filter(action=action, pk__gt=since).order_by("pk"))


def drain(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_constituent_export_records_who_the_filter_and_the_rows(client_for, staff, member_a, fmt):
    ConstituentFactory.create_batch(3, member=member_a)
    client = client_for(staff)
    client.defaults["REMOTE_ADDR"] = "10.2.3.4"
    since = mark()
    response = client.get(reverse("members:constituent-export"), {"format": fmt, "q": "", "active": "1", "page": "2"})
    drain(response)
    (entry,) = entries(Action.EXPORT, since)
    assert (entry.user, entry.ip, entry.result) == (staff, "10.2.3.4", "ok")
    assert entry.detail["rows"] == active_count(member_a)
    assert entry.detail["filter"] == {"active": "1"}
    assert entry.detail["complete"] is True
    assert entry.detail["file"].startswith("constituents-")


def active_count(member):
    return member.constituents.filter(active=True).count()


@pytest.mark.django_db(transaction=True)
def test_an_export_cut_off_is_recorded_as_incomplete(client_for, staff, member_a, monkeypatch):
    from members import exports

    monkeypatch.setattr(exports, "CSV_BATCH", 1)
    ConstituentFactory.create_batch(3, member=member_a)
    since = mark()
    response = client_for(staff).get(reverse("members:constituent-export"), {"format": "csv"})
    stream = iter(response.streaming_content)
    # The header and a row, then the browser goes away. (Outside a test's transaction, as a
    # server streams: the export reads in a transaction of its own, which the cut ends.)
    next(stream), next(stream)
    response.close()
    del stream
    (entry,) = entries(Action.EXPORT, since)
    assert entry.detail["complete"] is False


def test_the_proposal_register_export_is_recorded(client_for, staff, member_a):
    proposal_in(State.SUBMITTED, proposer=member_a, staff=staff)
    since = mark()
    drain(client_for(staff).get(reverse("proposals:register-export")))
    (entry,) = entries(Action.EXPORT, since)
    assert (entry.user, entry.detail["rows"]) == (staff, 1)


def test_a_whole_phone_number_shown_is_recorded_a_masked_one_is_not(client_for, staff, leader, member_a):
    constituent = ConstituentFactory(member=member_a, phone="13912345678")
    url = reverse("members:constituent-detail", args=[constituent.pk])
    since = mark()
    assert "13912345678" in client_for(staff).get(url).content.decode()
    (entry,) = entries(Action.PHONE_VIEWED, since)
    assert (entry.user, entry.object_type, entry.object_id) == (staff, "members.constituent", str(constituent.pk))
    since = mark()
    assert "13912345678" not in client_for(leader).get(url).content.decode()
    assert not entries(Action.PHONE_VIEWED, since)


def test_a_list_of_whole_numbers_is_one_entry_naming_them(client_for, staff, member_a):
    shown = ConstituentFactory.create_batch(3, member=member_a)
    since = mark()
    client_for(staff).get(reverse("members:constituent-list"))
    (entry,) = entries(Action.PHONE_VIEWED, since)
    assert sorted(entry.detail["constituents"]) == sorted(c.pk for c in shown)


def xlsx(rows, name="roster.xlsx"):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def test_an_import_is_recorded_and_a_refused_one_too(client_for, staff, member_a, sector):
    header = [c.title for c in CONSTITUENT_COLUMNS]
    good = [None] * len(header)
    values = {"name": "李群众", "phone": "13700000001", "sector": sector.name, "member": member_a.name}
    for i, column in enumerate(CONSTITUENT_COLUMNS):
        good[i] = values.get(column.key)
    client = client_for(staff)
    since = mark()
    client.post(reverse("members:constituent-import"), {"file": xlsx([header, good])})
    client.post(reverse("members:constituent-import"), {"file": xlsx([header, ["", "not a phone"]], "bad.xlsx")})
    ok, refused = entries(Action.IMPORT, since)
    assert (ok.user, ok.result, ok.detail["kind"], ok.detail["file"]) == (staff, "ok", "constituents", "roster.xlsx")
    assert ok.detail["created"] == 1
    assert (refused.result, refused.detail["file"], refused.detail["created"]) == ("refused", "bad.xlsx", 0)
    assert refused.detail["errors"] > 0


def test_every_proposal_state_change_is_recorded(staff, member_a):
    proposal = proposal_in(State.SUBMITTED, proposer=member_a, staff=staff)
    since = mark()
    proposal_services.proposal_start_review(proposal=proposal, by=staff)
    (entry,) = entries(Action.PROPOSAL_STATE, since)
    assert (entry.user, entry.object_id) == (staff, str(proposal.pk))
    assert entry.detail == {"action": "start_review", "from": "submitted", "to": "under_review"}
