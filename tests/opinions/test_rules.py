"""The rules of the reports' services: who decides where, and bad input or a stale page that
changes nothing (no report, routing, instruction or audit entry half-written)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from members.audit import Action, AuditEntry
from opinions import services
from opinions.models import Instruction, Report, ReportRouting
from tests.factories import ContactLogFactory
from tests.opinions.helpers import report_in

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Report.objects.order_by("pk").values()),
        list(ReportRouting.objects.order_by("pk").values()),
        Instruction.objects.count(),
        AuditEntry.objects.filter(action=Action.REPORT_STATE).count(),
    )


def test_only_the_office_holding_the_report_decides(tree, member_a, staff, city_staff, leader,
                                                    other_staff):
    report = report_in("pending", member=member_a, offices=[staff])
    before = snapshot()
    for outsider in (city_staff, leader, other_staff, member_a.user):
        for act in (services.report_forward, services.report_adopt):
            with pytest.raises(PermissionDenied):
                act(report=report, by=outsider)
    assert snapshot() == before
    report = services.report_forward(report=report, by=staff)
    with pytest.raises(PermissionDenied):  # now in the city's queue, not the district's
        services.report_adopt(report=report, by=staff)


def test_a_member_submits_only_as_themself_and_from_their_own_contacts(tree, member_a, member_b):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.report_submit(member=member_a, by=member_b.user, title="标题", body="内容")
    with pytest.raises(services.ReportError):
        services.report_submit(member=member_a, by=member_a.user, title="标题", body="内容",
                               contact_log=ContactLogFactory(member=member_b))
    assert snapshot() == before


@pytest.mark.parametrize(("title", "body"), [("", "内容"), ("标题", "   "), ("长" * 101, "内容"),
                                         ("标题", "长" * 5001)])
def test_bad_text_is_refused_in_chinese_and_changes_nothing(tree, client_for, member_a, staff,
                                                            title, body):
    before = snapshot()
    response = client_for(member_a).post(reverse("opinions:report-new"),
                                         {"title": title, "body": body})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert snapshot() == before
    report = report_in("pending", member=member_a, offices=[staff])
    before = snapshot()
    response = client_for(staff).post(reverse("opinions:report-edit", args=[report.pk]),
                                      {"title": title, "body": body, "version": report.version})
    assert response.status_code == 400
    assert snapshot() == before


def test_not_using_needs_a_reason(tree, client_for, member_a, staff):
    report = report_in("pending", member=member_a, offices=[staff])
    before = snapshot()
    response = client_for(staff).post(reverse("opinions:report-not-use", args=[report.pk]),
                                      {"reason": "  ", "version": report.version})
    assert response.status_code == 400
    assert "reason" in response.context["not_use_form"].errors
    assert snapshot() == before


def test_a_stale_page_is_told_and_changes_nothing(tree, client_for, member_a, staff):
    report = report_in("pending", member=member_a, offices=[staff])
    stale = report.version
    services.report_edit(report=report, by=staff, title="改过的标题", body=report.body)
    before = snapshot()
    response = client_for(staff).post(reverse("opinions:report-adopt", args=[report.pk]),
                                      {"version": stale})
    assert response.status_code == 400
    assert "在此期间" in response.content.decode()  # someone else changed it meanwhile
    assert snapshot() == before


def test_a_decided_report_cannot_be_decided_again(tree, member_a, staff):
    report = report_in("adopted", member=member_a, offices=[staff])
    before = snapshot()
    for act in (services.report_forward, services.report_adopt):
        with pytest.raises(services.ReportError):
            act(report=report, by=staff)
    with pytest.raises(services.ReportError):
        services.report_not_use(report=report, by=staff, reason="重复")
    with pytest.raises(services.ReportError):
        services.report_edit(report=report, by=staff, title="新标题", body="新内容")
    assert snapshot() == before


def test_instructions_only_on_an_adopted_report_dated_sensibly(tree, member_a, staff):
    today = timezone.localdate()
    pending = report_in("pending", member=member_a, offices=[staff])
    adopted = report_in("adopted", member=member_a, offices=[staff])
    before = snapshot()
    with pytest.raises(services.ReportError):
        services.instruction_record(report=pending, by=staff, leader="区长", text="阅", given_on=today)
    for given_on in (today + timedelta(days=1), today - timedelta(days=1)):  # future; before adoption
        with pytest.raises(services.ReportError):
            services.instruction_record(report=adopted, by=staff, leader="区长", text="阅",
                                        given_on=given_on)
    with pytest.raises(services.ReportError):
        services.instruction_record(report=adopted, by=staff, leader="", text="阅", given_on=today)
    assert snapshot() == before
