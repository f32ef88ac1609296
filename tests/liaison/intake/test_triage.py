"""Staff triage what arrives by QR code: to a member of the platform's sector (through the
portal's own constituent and contact services, so the must-visit follows), as a duplicate,
or closed with a reason; a number can be blocked; the retention purge is safe to run twice."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from captcha.models import CaptchaStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from activities.models import ContactLog, Reminder, TriggerType
from liaison.intake import services
from liaison.intake.models import BlockedPhone, Submission
from members import phone_crypto
from members.models import Constituent, Notification
from tests.factories import ConstituentFactory, MemberFactory
from tests.liaison.intake.conftest import submission

pytestmark = pytest.mark.django_db


def test_a_difficulty_assigned_becomes_a_constituent_with_a_difficulty_must_visit(
    client_for, staff, member_a, platform, django_capture_on_commit_callbacks
):
    message = submission(platform, category="difficulty", text="母亲卧病在床，生活困难。")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(
            reverse("intake:submission-assign", args=[message.pk]),
            {"member": member_a.pk, "difficulty_kind": "illness"},
        )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.state, message.member, message.triaged_by) == ("assigned", member_a, staff)
    person = message.constituent
    assert (person.member, person.name, person.phone) == (member_a, "刘先生", "13900001111")
    log = message.contact_log
    assert (log.member, log.channel, log.mode, log.platform) == (member_a, "online", "online", platform)
    assert log.difficulty
    assert log.difficulty_kind == "illness"
    assert list(log.constituents.all()) == [person]
    reminder = Reminder.objects.get(member=member_a, constituent=person, rule__trigger_type=TriggerType.DIFFICULTY)
    assert reminder.flagged_by_id == log.pk
    assert reminder.state == "open"
    assert Notification.objects.filter(user=member_a.user, kind="intake_assigned").exists()


def test_an_opinion_becomes_an_opinion_on_a_contact_log(staff, member_a, platform):
    message = submission(platform, category="opinion", text="建议增加社区医疗点。")
    services.submission_assign(by=staff, submission=message, member=member_a)
    log = ContactLog.objects.get()
    assert log.opinions == "建议增加社区医疗点。"
    assert not log.difficulty


def test_a_request_to_be_contacted_makes_a_first_visit(
    staff, member_a, platform, django_capture_on_commit_callbacks
):
    message = submission(platform, category="contact", name="")
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_assign(by=staff, submission=message, member=member_a)
    person = Constituent.objects.get(member=member_a)
    assert person.name == "扫码群众（尾号1111）"
    assert not ContactLog.objects.exists()
    assert Reminder.objects.filter(constituent=person, rule__trigger_type=TriggerType.FIRST_VISIT).exists()


def test_a_known_person_is_not_added_twice(staff, member_a, platform):
    known = ConstituentFactory(member=member_a, council=member_a.council, sector=member_a.sector,
                               phone="13900001111")
    message = submission(platform, category="opinion")
    services.submission_assign(by=staff, submission=message, member=member_a)
    assert Constituent.objects.filter(member=member_a).count() == 1
    assert Submission.objects.get().constituent == known


def test_only_a_member_of_the_platform_s_sector_may_take_it(staff, member_b, other_member, platform):
    message = submission(platform)
    for outsider in (member_b, other_member):  # another sector; another council
        with pytest.raises(ValidationError):
            services.submission_assign(by=staff, submission=message, member=outsider)
    retired = MemberFactory(council=platform.council, sector=platform.sectors.get(), status="inactive")
    with pytest.raises(ValidationError):
        services.submission_assign(by=staff, submission=message, member=retired)
    message.refresh_from_db()
    assert message.state == "new"
    assert not Constituent.objects.exists()


def test_the_page_shows_a_refusal_in_chinese_and_changes_nothing(client_for, staff, member_b, platform):
    message = submission(platform)
    response = client_for(staff).post(reverse("intake:submission-assign", args=[message.pk]),
                                      {"member": member_b.pk})
    assert response.status_code == 400
    assert "选择" in response.content.decode()
    message.refresh_from_db()
    assert message.state == "new"


def test_a_difficulty_needs_its_kind(staff, member_a, platform):
    message = submission(platform, category="difficulty")
    with pytest.raises(ValidationError):
        services.submission_assign(by=staff, submission=message, member=member_a)
    assert not Constituent.objects.exists()


def test_merge_and_close(client_for, staff, platform):
    first = submission(platform, phone="13700001111")
    again = submission(platform, phone="13700001111")
    client = client_for(staff)
    detail = client.get(reverse("intake:submission-detail", args=[again.pk]))
    assert first in detail.context["candidates"]
    assert client.post(reverse("intake:submission-merge", args=[again.pk]),
                       {"into": first.pk}).status_code == 302
    again.refresh_from_db()
    assert (again.state, again.merged_into) == ("merged", first)
    # Closed with a reason; "other" needs a note.
    assert client.post(reverse("intake:submission-close", args=[first.pk]),
                       {"reason": "other"}).status_code == 400
    assert client.post(reverse("intake:submission-close", args=[first.pk]),
                       {"reason": "answered", "note": "电话答复"}).status_code == 302
    first.refresh_from_db()
    assert (first.state, first.close_reason, first.close_note) == ("closed", "answered", "电话答复")


def test_a_message_is_triaged_once(staff, member_a, platform):
    message = submission(platform)
    services.submission_close(by=staff, submission=message, reason="spam")
    with pytest.raises(ValidationError, match="已被处理"):
        services.submission_assign(by=staff, submission=message, member=member_a)
    assert not Constituent.objects.exists()


def test_leaders_read_the_queue_but_do_not_triage(client_for, leader, member_a, platform):
    message = submission(platform)
    client = client_for(leader)
    assert client.get(reverse("intake:submission-list")).status_code == 200
    detail = client.get(reverse("intake:submission-detail", args=[message.pk]))
    assert "139****1111" in detail.content.decode()
    assert "13900001111" not in detail.content.decode()
    assert client.post(reverse("intake:submission-assign", args=[message.pk]),
                       {"member": member_a.pk}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.submission_close(by=leader, submission=message, reason="spam")


def test_staff_block_and_unblock_a_number(client_for, staff, platform):
    message = submission(platform)
    client = client_for(staff)
    assert client.post(reverse("intake:phone-block", args=[message.pk]), {"note": "骚扰"}).status_code == 302
    assert client.post(reverse("intake:phone-block", args=[message.pk]), {}).status_code == 302
    blocked = BlockedPhone.objects.get()  # once, however often asked
    assert services.phone_is_blocked(council_id=platform.council_id, phone="139-0000-1111")
    listed = client.get(reverse("intake:blocked-list")).content.decode()
    assert "139****1111" in listed
    assert "13900001111" not in listed
    assert client.post(reverse("intake:phone-unblock", args=[blocked.pk])).status_code == 302
    assert not BlockedPhone.objects.exists()


def test_the_purge_erases_what_identifies_people_and_is_safe_to_run_twice(staff, platform, settings):
    settings.INTAKE_RETENTION_DAYS = 30
    today = timezone.localdate()
    old = submission(platform)
    services.submission_close(by=staff, submission=old, reason="answered")
    Submission.objects.filter(pk=old.pk).update(triaged_at=timezone.now() - timedelta(days=31))
    recent = submission(platform)
    services.submission_close(by=staff, submission=recent, reason="answered")
    waiting = submission(platform)
    Submission.objects.filter(pk=waiting.pk).update(submitted_at=timezone.now() - timedelta(days=90))

    expired = CaptchaStore.objects.create(challenge="1+1=", response="2",
                                          expiration=timezone.now() - timedelta(minutes=1))
    assert services.submissions_purge(today=today) == 1
    assert services.submissions_purge(today=today) == 0
    assert not CaptchaStore.objects.filter(pk=expired.pk).exists()
    old.refresh_from_db()
    assert (old.name, old.phone, old.phone_hash, old.text) == ("", "", "", "")
    assert old.purged_at is not None  # still counted
    assert old.state == "closed"
    for kept in (recent, waiting):
        kept.refresh_from_db()
        assert kept.text
        assert kept.phone
        assert kept.purged_at is None


def test_the_poster_carries_a_qr_code_of_the_public_address(client_for, staff, platform, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.gov.cn"
    response = client_for(staff).get(reverse("intake:poster", args=[platform.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    token = platform.intake_link.token
    assert f"https://portal.example.gov.cn/q/{token}/" in page
    assert "<svg" in page
    assert "扫码向政协委员反映" in page
    # Asking again keeps the address; renewing gives a new one and the old stops working.
    client_for(staff).get(reverse("intake:poster", args=[platform.pk]))
    platform.intake_link.refresh_from_db()
    assert platform.intake_link.token == token
    assert client_for(staff).post(reverse("intake:poster-renew", args=[platform.pk])).status_code == 302
    platform.intake_link.refresh_from_db()
    assert platform.intake_link.token != token
    assert client_for(staff).get(f"/q/{token}/").status_code == 404


def test_the_key_rotation_reseals_messages_and_blocked_numbers(settings, staff, platform):
    from django.core.management import call_command

    from tests.liaison.test_rotate_phone_key import NEW, OLD, key_ids

    settings.PHONE_KEY, settings.PHONE_KEY_OLD = OLD, ""
    message = submission(platform, phone="13900001111")
    services.phone_block(by=staff, submission=message)
    settings.PHONE_KEY, settings.PHONE_KEY_OLD = NEW, OLD
    call_command("rotate_phone_key", stdout=StringIO())
    new_id = {phone_crypto.PhoneKey.from_text(NEW).id}
    assert key_ids("liaison_submission") == new_id
    assert key_ids("liaison_blockedphone") == new_id
    settings.PHONE_KEY_OLD = ""
    assert services.phone_is_blocked(council_id=platform.council_id, phone="13900001111")
    assert Submission.objects.get().phone == "13900001111"


def test_the_proposal_an_opinion_became_follows_its_contact_log(staff, member_a, platform):
    from tests.proposals.factories import SessionFactory, proposal_in

    message = services.submission_assign(by=staff, submission=submission(platform), member=member_a)
    assert services.submission_outcomes_refresh() == 0
    proposal = proposal_in("filed", proposer=member_a, staff=staff,
                           session=SessionFactory(council=platform.council, is_current=True))
    ContactLog.objects.filter(pk=message.contact_log_id).update(proposal=proposal)
    assert not Submission.objects.became_proposal().exists()
    assert services.submission_outcomes_refresh() == 1
    assert services.submission_outcomes_refresh() == 0  # safe to run twice
    assert list(Submission.objects.became_proposal()) == [message]
    ContactLog.objects.filter(pk=message.contact_log_id).update(proposal=None)
    assert services.submission_outcomes_refresh() == 1
    assert not Submission.objects.became_proposal().exists()
