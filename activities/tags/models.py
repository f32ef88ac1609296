"""The council's "四联四助" tags (``LinkTag``) and the tags of a contact log
(``ContactLogTag``, which keeps the log's time for the dashboard's count by tag).

Like the must-visit rules, the eight tags every council starts with (``DEFAULT_LINK_TAGS``)
are editable defaults, not the official wording: staff rename, reorder, retire and add tags.
They are installed for every council by a data migration, for a new council by
``activities.tags.services.link_tags_install_defaults`` (``members.events.council_added``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.common.querysets import CouncilOwnedQuerySet
from members.models import Council

# (order, name, kind, description). Editable defaults: the page says so.
DEFAULT_LINK_TAGS = [
    (1, "联系界别群众", "link", "委员联系本界别群众，听取意见建议。"),
    (2, "联系基层组织", "link", "联系街道（乡镇）、社区（村）等基层组织。"),
    (3, "联系企业", "link", "联系企业、商会和新经济组织。"),
    (4, "联系困难群众", "link", "联系生活困难或遇到难题的群众。"),
    (5, "助力经济发展", "help", "为企业纾困解难、为发展建言献策。"),
    (6, "助推民生改善", "help", "协调解决群众急难愁盼问题。"),
    (7, "助解矛盾纠纷", "help", "协助理顺情绪、化解矛盾。"),
    (8, "助促社会和谐", "help", "宣传政策、凝聚共识，促进和谐稳定。"),
]


class LinkTag(models.Model):
    """One entry of the council's "四联四助" list: a kind of link (联) or of help (助)."""

    class Kind(models.TextChoices):
        LINK = "link", _("Link (四联)")
        HELP = "help", _("Help (四助)")

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="link_tags", verbose_name=_("council")
    )
    name = models.CharField(_("name"), max_length=30)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.LINK)
    description = models.CharField(_("description"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    objects = CouncilOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("link-and-help tag")
        verbose_name_plural = _("link-and-help tags")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="linktag_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=["link", "help"]), name="linktag_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class ContactLogTag(models.Model):
    """A tag of a contact log. ``contacted_at`` is the log's (kept equal by the contact-log
    services): the dashboard counts a period's logs per tag on (tag, contacted_at) alone.

    On PostgreSQL the foreign key to the (partitioned) log is the composite
    (contact_log_id, contacted_at), made in SQL (docs/PARTITIONING.md); SQLite keeps
    Django's own."""

    contact_log = models.ForeignKey(
        "activities.ContactLog", on_delete=models.CASCADE, verbose_name=_("contact log")
    )
    tag = models.ForeignKey(LinkTag, on_delete=models.PROTECT, verbose_name=_("tag"))
    contacted_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("tag of a contact log")
        verbose_name_plural = _("tags of contact logs")
        constraints = [
            models.UniqueConstraint(fields=["contact_log", "tag"], name="contactlogtag_unique"),
        ]
        indexes = [
            # The dashboard's count per tag in a period, and the list filtered by a tag.
            models.Index(fields=["tag", "contacted_at"], name="contactlogtag_tag_time"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_log_id} · {self.tag_id}"
