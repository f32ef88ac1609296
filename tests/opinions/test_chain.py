"""A report's way up the council tree through the services: district → city → province,
adopted by the city with a leader's instruction and seen back down by the author and the
originating council; every step audited, each level's decision kept."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from members.audit import Action, AuditEntry
from members.models import Notification
from opinions import services
from opinions.models import Report, ReportRouting
from tests.opinions.helpers import report_in

pytestmark = pytest.mark.django_db

Decision = ReportRouting.Decision


def decisions(report) -> list[tuple[str, str]]:
    return [(r.council.name, r.decision) for r in report.routings.select_related("council")]


def test_adopted_by_the_city_with_an_instruction_and_seen_by_the_author(
        tree, client_for, member_a, staff, city_staff, opinion_log):
    # The member starts from a contact's opinions: the form comes prefilled.
    client = client_for(member_a)
    page = client.get(reverse("opinions:report-new"), {"contact_log": opinion_log.pk})
    assert page.context["form"].initial["title"] == "商户反映早市周边缺少公共卫生间。"
    response = client.post(reverse("opinions:report-new"), {
        "title": "关于早市周边增设公共卫生间的建议", "body": opinion_log.opinions,
        "contact_log": opinion_log.pk,
    })
    report = Report.objects.get()
    assert response.url == report.get_absolute_url()
    assert (report.council, report.current_council, report.contact_log_id) == (
        tree.district, tree.district, opinion_log.pk)

    # The district's office edits and forwards; the report leaves its queue for the city's.
    office = client_for(staff)
    assert list(office.get(reverse("opinions:report-list"), {"queue": "true"}).context["page"]) == [report]
    office.post(reverse("opinions:report-edit", args=[report.pk]),
                {"title": "关于兴安街道早市增设公共卫生间的建议", "body": report.body,
                 "version": report.version})
    report.refresh_from_db()
    office.post(reverse("opinions:report-forward", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert report.current_council == tree.city
    assert report.times_forwarded == 1
    assert not office.get(reverse("opinions:report-list"), {"queue": "true"}).context["page"]

    # The city's office adopts it and records the vice-mayor's instruction.
    city = client_for(city_staff)
    assert list(city.get(reverse("opinions:report-list"), {"queue": "true"}).context["page"]) == [report]
    city.post(reverse("opinions:report-adopt", args=[report.pk]), {"version": report.version})
    response = city.post(reverse("opinions:instruction-add", args=[report.pk]), {
        "leader": "市政府副市长 王某某", "text": "请市住建局会同兴安街道研究解决。",
        "given_on": timezone.localdate().isoformat(),
    })
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == Report.State.ADOPTED
    assert report.instructed
    assert decisions(report) == [(tree.district.name, Decision.FORWARDED),
                                 (tree.city.name, Decision.ADOPTED)]

    # Back down: the author and the district's office see where it went and the instruction.
    for viewer in (member_a, staff):
        page = client_for(viewer).get(report.get_absolute_url())
        html = page.content.decode()
        assert "请市住建局会同兴安街道研究解决。" in html
        assert "市政府副市长 王某某" in html
        assert tree.city.name in html
    mine = client_for(member_a).get(reverse("opinions:my-reports"))
    assert list(mine.context["page"]) == [report]

    notices = list(Notification.objects.filter(user=member_a.user).order_by("pk")
                   .values_list("subject", flat=True))
    assert len(notices) == 3  # forwarded, adopted, instructed
    assert tree.city.name in notices[1]

    steps = [e.detail["action"] for e in AuditEntry.objects.filter(
        action=Action.REPORT_STATE).order_by("pk")]
    assert steps == ["submit", "edit", "forward", "adopt", "instruct"]


def test_forwarded_twice_and_adopted_by_the_province(tree, member_a, staff, city_staff,
                                                     province_staff):
    report = report_in("forwarded", member=member_a, offices=[staff])
    report = services.report_forward(report=report, by=city_staff)
    assert report.current_council == tree.province
    report = services.report_adopt(report=report, by=province_staff)
    assert report.times_forwarded == 2
    assert decisions(report) == [(tree.district.name, Decision.FORWARDED),
                                 (tree.city.name, Decision.FORWARDED),
                                 (tree.province.name, Decision.ADOPTED)]
    assert [r.decided_by for r in report.routings.all()] == [staff, city_staff, province_staff]


def test_the_top_council_cannot_forward(tree, member_a, staff, city_staff, province_staff):
    report = report_in("forwarded", member=member_a, offices=[staff])
    report = services.report_forward(report=report, by=city_staff)
    with pytest.raises(services.ReportError):
        services.report_forward(report=report, by=province_staff)
    report.refresh_from_db()
    assert (report.current_council, report.times_forwarded) == (tree.province, 2)
    assert report.routings.count() == 3


def test_not_used_keeps_the_reason_for_the_author(tree, client_for, member_a, staff):
    report = report_in("not_used", member=member_a, offices=[staff])
    assert report.state == Report.State.NOT_USED
    page = client_for(member_a).get(report.get_absolute_url())
    assert "已有相关政策" in page.content.decode()


def test_erasing_a_constituent_reaches_the_reports_written_from_their_contacts(
        client_for, member_a, staff):
    from liaison.personal_data import ERASED_NAME, constituent_erase
    from tests.factories import ConstituentFactory, ContactLogFactory

    person = ConstituentFactory(member=member_a, name="王小红")
    log = ContactLogFactory(member=member_a, constituents=[person], opinions="王小红建议增加社区医生")
    report = services.report_submit(member=member_a, by=member_a.user, title="王小红反映看病难",
                                    body=log.opinions, contact_log=log)
    other = services.report_submit(member=member_a, by=member_a.user, title="王小红反映看病难",
                                   body="另一篇")
    constituent_erase(by=staff, constituent=person, reason="本人来电要求删除")
    report.refresh_from_db()
    assert (report.title, report.body) == (f"{ERASED_NAME}反映看病难", f"{ERASED_NAME}建议增加社区医生")
    other.refresh_from_db()
    assert other.title == "王小红反映看病难"  # not written from their contacts
