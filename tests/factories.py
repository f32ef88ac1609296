"""factory_boy factories for the members app and contact logs. Other apps keep theirs in
``tests/<app>/factories.py``."""

import factory
from django.db import transaction
from django.utils import timezone

from activities.contacts.rollups import contact_day_add, tags_add
from activities.models import Channel, ContactLog
from members.models import Committee, Constituent, Council, Member, Platform, Sector, User
from members.rollups import constituents_added, members_added
from members.services import council_create


class CouncilFactory(factory.django.DjangoModelFactory):
    """A council as the portal adds one (``members.services.council_create``: with its default
    must-visit rules); one of that name if it exists already."""

    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"测试区{n}政协")
    level = Council.Level.DISTRICT

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        existing = model_class.objects.filter(name=kwargs["name"]).first()
        return existing or council_create(by=None, **kwargs)


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"界别{n}")


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"专委会{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = User.Role.STAFF
    council = factory.SubFactory(CouncilFactory)
    password = factory.PostGenerationMethodCall("set_password", "pass-word-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    council = factory.SubFactory(CouncilFactory)
    user = factory.SubFactory(
        UserFactory, role=User.Role.MEMBER, council=factory.SelfAttribute("..council")
    )
    name = factory.Sequence(lambda n: f"委员{n}")
    sector = factory.SubFactory(SectorFactory, council=factory.SelfAttribute("..council"))
    committee = factory.SubFactory(CommitteeFactory, council=factory.SelfAttribute("..council"))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    zone = factory.Sequence(lambda n: f"责任区{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the services and imports do: the roster tally counts the member.
        member = super()._create(model_class, *args, **kwargs)
        members_added([member])
        return member


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform

    council = factory.SubFactory(CouncilFactory)
    kind = Platform.Kind.STUDIO
    name = factory.Sequence(lambda n: f"委员工作室{n}")


class ConstituentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Constituent

    member = factory.SubFactory(MemberFactory)
    council = factory.SelfAttribute("member.council")
    sector = factory.SelfAttribute("member.sector")
    name = factory.Sequence(lambda n: f"群众{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    community = "兴安社区"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the services and imports do: the member's counter and the tally count it.
        constituent = super()._create(model_class, *args, **kwargs)
        constituents_added([constituent])
        return constituent


class ContactLogFactory(factory.django.DjangoModelFactory):
    """A contact log; pass ``constituents=[...]`` (default: one new constituent of the member)."""

    class Meta:
        model = ContactLog
        skip_postgeneration_save = True

    member = factory.SubFactory(MemberFactory)
    council = factory.SelfAttribute("member.council")
    contacted_at = factory.LazyFunction(timezone.now)
    channel = Channel.FORUM
    mode = ContactLog.Mode.VISIT
    summary = "了解企业经营情况"

    @factory.post_generation
    def constituents(obj, create, extracted, **kwargs):
        if not create:
            return
        people = extracted if extracted is not None else [ConstituentFactory(member=obj.member)]
        # As contact_log_create does, in one transaction (the counts lock the member's row,
        # which PostgreSQL allows only inside one — tests with live servers run outside any):
        # the daily contact counts include the log.
        with transaction.atomic():
            obj.constituents.set(people, through_defaults={"contacted_at": obj.contacted_at})
            contact_day_add(obj, constituents=len(people))

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        """``tags=[...]``: the log's "四联四助" tags, with its time, counted in the tally (as the
        service does)."""
        if create and extracted:
            with transaction.atomic():
                obj.tags.set(extracted, through_defaults={"contacted_at": obj.contacted_at})
                tags_add(obj, [tag.pk for tag in extracted], 1)
