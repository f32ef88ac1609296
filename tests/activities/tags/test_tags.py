"""The "四联四助" tags: each council's editable list (defaults seeded for every council), ticked
by members on a contact log and by staff on an activity, filtering the staff lists; a tag of
another council is refused with a message and changes nothing."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities.contacts.services import contact_log_create, contact_log_update
from activities.events.services.activities import activity_create, activity_update
from activities.models import Activity, Channel, ContactLog, ContactLogTag, LinkTag
from activities.tags.models import DEFAULT_LINK_TAGS
from activities.tags.services import link_tags_install_defaults
from members.models import Council
from members.services import council_create
from tests.activities.contacts.contact_helpers import offered_pks
from tests.activities.events.event_helpers import ActivityFactory, ActivityKindFactory
from tests.factories import ConstituentFactory, ContactLogFactory

pytestmark = pytest.mark.django_db

FOREIGN_TAG = "请选择本政协的“四联四助”标签。"
DEFAULT_NAMES = [name for _order, name, _kind, _description in DEFAULT_LINK_TAGS]


def tags_of(council) -> dict[str, LinkTag]:
    return {t.name: t for t in LinkTag.objects.filter(council=council)}


# --- the defaults ------------------------------------------------------------------------------


def test_a_new_council_starts_with_the_eight_default_tags(db):
    council = council_create(by=None, name="新设区政协", level=Council.Level.DISTRICT)
    tags = list(LinkTag.objects.filter(council=council))
    assert [t.name for t in tags] == DEFAULT_NAMES
    assert [t.kind for t in tags] == ["link"] * 4 + ["help"] * 4
    assert len(link_tags_install_defaults(council=council)) == 8  # idempotent
    assert LinkTag.objects.filter(council=council).count() == 8


def test_the_data_migration_seeds_every_existing_council_and_keeps_their_edits(db):
    bare = Council.objects.create(name="旧区政协", level=Council.Level.DISTRICT)  # no service
    kept = council_create(by=None, name="已改区政协", level=Council.Level.DISTRICT)
    LinkTag.objects.filter(council=kept, name="联系企业").update(name="联系商会")
    migration = importlib.import_module("activities.migrations.0019_link_tag_defaults")
    migration.install(apps, None)
    assert list(LinkTag.objects.filter(council=bare).values_list("name", flat=True)) == DEFAULT_NAMES
    names = set(LinkTag.objects.filter(council=kept).values_list("name", flat=True))
    assert "联系商会" in names  # the council's edit stays; the default comes back beside it
    assert LinkTag.objects.filter(council=kept).count() == 9


# --- the staff page ----------------------------------------------------------------------------


def _formset_data(tags, **extra_rows):
    data = {"form-TOTAL_FORMS": len(tags) + len(extra_rows), "form-INITIAL_FORMS": len(tags)}
    for i, tag in enumerate(tags):
        data |= {f"form-{i}-id": tag.pk, f"form-{i}-name": tag.name, f"form-{i}-kind": tag.kind,
                 f"form-{i}-description": tag.description, f"form-{i}-order": tag.order,
                 f"form-{i}-active": "on"}
    return data


def test_staff_rename_retire_and_add_tags(client_for, staff, council):
    client = client_for(staff)
    page = client.get(reverse("activities:tag-list"))
    assert page.status_code == 200
    assert "默认标签，可修改" in page.content.decode()
    tags = list(LinkTag.objects.filter(council=council))
    data = _formset_data(tags)
    data["form-0-name"] = "联系本界别群众"
    data.pop("form-7-active")  # 助促社会和谐 out of use
    n = len(tags)
    data |= {"form-TOTAL_FORMS": n + 1, f"form-{n}-name": "助推乡村振兴", f"form-{n}-kind": "help",
             f"form-{n}-order": 9, f"form-{n}-active": "on"}
    assert client.post(reverse("activities:tag-list"), data).status_code == 302
    stored = tags_of(council)
    assert "联系本界别群众" in stored
    assert "联系界别群众" not in stored
    assert stored["助推乡村振兴"].kind == "help"
    assert not stored["助促社会和谐"].active


def test_the_tag_page_refuses_a_duplicate_and_another_councils_tag(client_for, staff, council,
                                                                   other_council):
    client = client_for(staff)
    tags = list(LinkTag.objects.filter(council=council))
    data = _formset_data(tags)
    data["form-1-name"] = tags[0].name
    response = client.post(reverse("activities:tag-list"), data)
    assert response.status_code == 200
    assert "标签名称不能重复。" in response.content.decode()
    foreign = LinkTag.objects.filter(council=other_council).first()
    data = _formset_data(tags)
    data["form-0-id"], data["form-0-name"] = foreign.pk, "改别人的标签"
    response = client.post(reverse("activities:tag-list"), data)
    assert response.status_code == 200
    assert FOREIGN_TAG in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.name != "改别人的标签"
    assert tags_of(council).keys() == set(DEFAULT_NAMES)


@pytest.mark.parametrize(("persona", "status"), [
    ("staff", 200), ("leader", 403), ("member_a", 403), ("other_staff", 200),
])
def test_only_staff_keep_the_list_and_only_their_own(request, client_for, council, persona,
                                                     status):
    response = client_for(request.getfixturevalue(persona)).get(reverse("activities:tag-list"))
    assert response.status_code == status
    if status == 200:
        user = request.getfixturevalue(persona)
        shown = {form.instance.council_id for form in response.context["formset"].forms
                 if form.instance.pk}
        assert shown == {user.council_id}


# --- contact logs ------------------------------------------------------------------------------


def _log_form(people, **overrides):
    return {
        "constituents": [p.pk for p in people],
        "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": Channel.RESEARCH, "mode": ContactLog.Mode.VISIT, "summary": "走访了解用工情况",
        **overrides,
    }


def test_a_member_ticks_tags_when_logging_a_contact(client_for, member_a, council):
    person = ConstituentFactory(member=member_a)
    tags = tags_of(council)
    client = client_for(member_a)
    page = client.get(reverse("activities:contactlog-create")).content.decode()
    assert page.count('name="tags"') == 8  # a few checkboxes
    chosen = [tags["联系企业"], tags["助力经济发展"]]
    response = client.post(reverse("activities:contactlog-create"),
                           _log_form([person], tags=[t.pk for t in chosen]))
    assert response.status_code == 302
    log = ContactLog.objects.get()
    assert set(log.tags.all()) == set(chosen)
    assert set(ContactLogTag.objects.values_list("contacted_at", flat=True)) == {log.contacted_at}
    detail = client.get(log.get_absolute_url()).content.decode()
    assert "联系企业" in detail
    assert "助力经济发展" in detail


def test_another_councils_tag_on_the_log_form_is_refused_in_chinese(client_for, member_a,
                                                                    other_council):
    person = ConstituentFactory(member=member_a)
    foreign = LinkTag.objects.filter(council=other_council).first()
    response = client_for(member_a).post(reverse("activities:contactlog-create"),
                                         _log_form([person], tags=[foreign.pk]))
    assert response.status_code == 200
    assert FOREIGN_TAG in response.content.decode()
    assert not ContactLog.objects.exists()


def test_the_service_refuses_another_councils_tag_and_writes_nothing(member_a, other_council,
                                                                     council):
    person = ConstituentFactory(member=member_a)
    foreign = LinkTag.objects.filter(council=other_council).first()
    with pytest.raises(ValidationError) as error:
        contact_log_create(by=member_a.user, member=member_a, constituents=[person],
                           contacted_at=timezone.now(), channel=Channel.FORUM, mode="visit",
                           summary="座谈", tags=[tags_of(council)["联系企业"], foreign])
    assert error.value.message_dict["tags"] == [FOREIGN_TAG]
    assert not ContactLog.objects.exists()
    log = ContactLogFactory(member=member_a, constituents=[person])
    with pytest.raises(ValidationError):
        contact_log_update(by=member_a.user, log=log, tags=[foreign])
    assert not log.tags.exists()


def test_editing_a_log_changes_its_tags_and_moves_their_time(client_for, member_a, council):
    person = ConstituentFactory(member=member_a)
    tags = tags_of(council)
    log = contact_log_create(by=member_a.user, member=member_a, constituents=[person],
                             contacted_at=timezone.now() - timedelta(days=3), channel="forum",
                             mode="visit", summary="座谈", tags=[tags["联系企业"]])
    earlier = timezone.localtime() - timedelta(days=40)
    form = client_for(member_a).get(reverse("activities:contactlog-edit", args=[log.pk]))
    assert form.context["form"]["tags"].value() == [tags["联系企业"].pk]
    response = client_for(member_a).post(
        reverse("activities:contactlog-edit", args=[log.pk]),
        _log_form([person], contacted_at=earlier.strftime("%Y-%m-%dT%H:%M"),
                  tags=[tags["联系企业"].pk, tags["助推民生改善"].pk]),
    )
    assert response.status_code == 302
    log.refresh_from_db()
    assert {t.name for t in log.tags.all()} == {"联系企业", "助推民生改善"}
    # The tags' rows carry the log's new time: the dashboard counts them by it.
    assert set(ContactLogTag.objects.filter(contact_log=log)
               .values_list("contacted_at", flat=True)) == {log.contacted_at}
    # Edited without the tags field (another caller): the tags stay, their time follows.
    contact_log_update(by=member_a.user, log=log, contacted_at=log.contacted_at + timedelta(hours=1))
    assert {t.name for t in log.tags.all()} == {"联系企业", "助推民生改善"}
    assert set(ContactLogTag.objects.filter(contact_log=log)
               .values_list("contacted_at", flat=True)) == {log.contacted_at}


def test_a_retired_tag_is_no_longer_offered_but_stays_on_the_logs_that_name_it(
        client_for, member_a, council):
    person = ConstituentFactory(member=member_a)
    tags = tags_of(council)
    log = ContactLogFactory(member=member_a, constituents=[person], tags=[tags["联系企业"]])
    LinkTag.objects.filter(pk=tags["联系企业"].pk).update(active=False)
    client = client_for(member_a)
    new = client.get(reverse("activities:contactlog-create")).context["form"]
    assert tags["联系企业"].pk not in offered_pks(new.fields["tags"])
    edit = client.get(reverse("activities:contactlog-edit", args=[log.pk])).context["form"]
    assert tags["联系企业"].pk in offered_pks(edit.fields["tags"])


def test_the_staff_contact_list_filters_by_tag(client_for, staff, member_a, council,
                                               other_council):
    tags = tags_of(council)
    person = ConstituentFactory(member=member_a)
    tagged = ContactLogFactory(member=member_a, constituents=[person], tags=[tags["联系企业"]])
    ContactLogFactory(member=member_a, constituents=[person], tags=[tags["助推民生改善"]])
    ContactLogFactory(member=member_a, constituents=[person])
    client = client_for(staff)
    url = reverse("activities:contactlog-list")
    page = client.get(url, {"tag": tags["联系企业"].pk}).context["page"]
    assert [log.pk for log in page] == [tagged.pk]
    assert client.get(url, {"tag_name": "联系企业"}).context["page"].paginator.count == 1
    foreign = LinkTag.objects.filter(council=other_council).first()
    response = client.get(url, {"tag": foreign.pk})
    assert response.context["page"].paginator.count == 0  # refused on the form, lists nothing
    assert response.context["filter"].errors


# --- activities --------------------------------------------------------------------------------


def _activity_form(kind, **extra):
    start = timezone.localtime() + timedelta(days=2)
    return {"title": "惠企政策宣讲", "kind": kind.pk, "channel": Channel.FORUM,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "state": "planned",
            "constituents_reached": 0, **extra}


def test_staff_pick_tags_on_an_activity(client_for, staff, council):
    kind = ActivityKindFactory(council=council, name="惠企政策宣传")
    tags = tags_of(council)
    client = client_for(staff)
    response = client.post(reverse("activities:activity-create"),
                           _activity_form(kind, tags=[tags["联系企业"].pk]))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert [t.name for t in activity.tags.all()] == ["联系企业"]
    response = client.post(reverse("activities:activity-edit", args=[activity.pk]),
                           _activity_form(kind, tags=[tags["助力经济发展"].pk]))
    assert response.status_code == 302
    assert [t.name for t in activity.tags.all()] == ["助力经济发展"]
    assert "助力经济发展" in client.get(activity.get_absolute_url()).content.decode()


def test_another_councils_tag_on_an_activity_is_refused(client_for, staff, council,
                                                       other_council):
    kind = ActivityKindFactory(council=council)
    foreign = LinkTag.objects.filter(council=other_council).first()
    response = client_for(staff).post(reverse("activities:activity-create"),
                                      _activity_form(kind, tags=[foreign.pk]))
    assert response.status_code == 200
    assert FOREIGN_TAG in response.content.decode()
    assert not Activity.objects.exists()
    with pytest.raises(ValidationError) as error:
        activity_create(council=council, by=staff, title="座谈", kind=kind, channel="forum",
                        starts_at=timezone.now(), tags=[foreign])
    assert error.value.message_dict["tags"] == [FOREIGN_TAG]
    activity = ActivityFactory(council=council, kind=kind)
    with pytest.raises(ValidationError):
        activity_update(activity=activity, by=staff, tags=[foreign])
    assert not activity.tags.exists()


def test_the_activity_list_filters_by_tag(client_for, staff, council):
    tags = tags_of(council)
    tagged = ActivityFactory(council=council, tags=[tags["助推民生改善"], tags["联系基层组织"]])
    ActivityFactory(council=council, tags=[tags["联系企业"]])
    ActivityFactory(council=council)
    client = client_for(staff)
    url = reverse("activities:activity-list")
    page = client.get(url, {"tag": tags["助推民生改善"].pk}).context["page"]
    assert [a.pk for a in page] == [tagged.pk]
    assert client.get(url, {"tag_name": "联系基层组织"}).context["page"].paginator.count == 1
