"""Factories and helpers for the activity and consultation tests."""

from datetime import timedelta
from io import BytesIO

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from activities.models import Activity, ActivityKind, Channel, Consultation, Problem
from tests.factories import CouncilFactory


class ActivityKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityKind
        django_get_or_create = ("council", "name")

    council = factory.SubFactory(CouncilFactory)
    name = "座谈交流"


class ActivityFactory(factory.django.DjangoModelFactory):
    """A planned activity a week ahead; pass ``sectors=[...]`` to set sectors."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    council = factory.SubFactory(CouncilFactory)
    title = factory.Sequence(lambda n: f"活动{n}")
    kind = factory.SubFactory(ActivityKindFactory, council=factory.SelfAttribute("..council"))
    channel = Channel.FORUM
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    state = Activity.State.PLANNED

    @factory.post_generation
    def sectors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.sectors.set(extracted)

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(extracted)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    council = factory.SubFactory(CouncilFactory)
    topic = factory.Sequence(lambda n: f"协商议题{n}")
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.members.set(extracted)


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    consultation = factory.SubFactory(ConsultationFactory)
    description = factory.Sequence(lambda n: f"问题{n}")
    responsible_unit = "区住建局"


def jpeg(name: str = "photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", size, (180, 40, 30)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def text_as_jpeg() -> SimpleUploadedFile:
    return SimpleUploadedFile("notes.jpg", b"this is not a picture\n" * 20, content_type="image/jpeg")
