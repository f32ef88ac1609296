"""The council's "四联四助" tags: the eight editable defaults every council starts with, and
the check that a contact log or an activity names only tags of its own council."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from activities.tags.models import DEFAULT_LINK_TAGS, LinkTag
from members.models import Council


def link_tags_install_defaults(*, council: Council) -> list[LinkTag]:
    """The eight default tags for ``council`` (idempotent: existing names are kept, and a
    council's own edits stay)."""
    tags = []
    with transaction.atomic():
        for order, name, kind, description in DEFAULT_LINK_TAGS:
            tag, _created = LinkTag.objects.get_or_create(
                council=council, name=name,
                defaults={"order": order, "kind": kind, "description": description},
            )
            tags.append(tag)
    return tags


def on_council_added(*, council: Council) -> None:
    """``members.events.council_added``: a new council starts with the default tags."""
    link_tags_install_defaults(council=council)


def link_tags_ensure(*, council: Council) -> None:
    """A council that has no tag at all (added before the tags were, outside the service):
    the defaults. Retired tags count as tags: the list is then the staff's own."""
    if not LinkTag.objects.filter(council=council).exists():
        link_tags_install_defaults(council=council)


def link_tags_checked(tags: Iterable[LinkTag | int] | None, *, council_id: int) -> list[int]:
    """The ids of ``tags``, each of council ``council_id``; any other is refused (an id posted
    from another council's form, or guessed) and nothing is written."""
    ids = sorted({getattr(t, "pk", t) for t in tags or ()})
    if ids and LinkTag.objects.filter(council_id=council_id, pk__in=ids).count() != len(ids):
        raise ValidationError(
            {"tags": _("Choose link-and-help tags of this council.")}, code="foreign_tag"
        )
    return ids
