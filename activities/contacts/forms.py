"""The contact-log forms. They validate and clean; ``activities.contacts.services`` writes."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.common.forms import MultipleImageField
from activities.contacts import choices
from activities.contacts.models import Channel, ContactLog, ContactLogPhoto
from activities.contacts.services import MAX_CONTACT_PHOTOS
from activities.events.models import Consultation
from activities.tags.forms import offer_tags, tags_field
from members.common.choices import listed
from members.models import Constituent, Platform
from proposals.models import Proposal

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class RosterPerson(NamedTuple):
    """A person of the log form's roster, as its box shows them."""

    pk: int
    name: str
    unit: str
    community: str


class ContactLogForm(forms.Form):
    """Log a contact: who (from my roster), how, what was said, difficulty, photos."""

    constituents = forms.ModelMultipleChoiceField(
        label=_("Who"),
        queryset=Constituent.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose at least one person you were in contact with.")},
    )
    contacted_at = forms.DateTimeField(
        label=_("When"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    mode = forms.ChoiceField(
        label=_("How"),
        choices=ContactLog.Mode.choices,
        widget=forms.RadioSelect,
        initial=ContactLog.Mode.VISIT,
    )
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=Platform.objects.none(),
        required=False,
        help_text=_("Needed when you met at a liaison point, studio or workstation."),
    )
    summary = forms.CharField(
        label=_("What was said"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    opinions = forms.CharField(
        label=_("Opinions raised"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        help_text=_("Opinions and suggestions the person asked you to pass on."),
    )
    difficulty = forms.BooleanField(
        label=_("The person is in difficulty"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "js-difficulty"}),
    )
    difficulty_kind = forms.ChoiceField(
        label=_("Kind of difficulty"),
        choices=[("", "---------"), *ContactLog.Difficulty.choices],
        required=False,
    )
    tags = tags_field()
    photos = MultipleImageField(label=_("Photos"), required=False)
    proposal = forms.ModelChoiceField(
        label=_("Proposal"),
        queryset=Proposal.objects.none(),
        required=False,
        help_text=_("The proposal you report back on, or that an opinion raised here became."),
    )
    consultation = forms.ModelChoiceField(
        label=_("Consultation"),
        queryset=Consultation.objects.none(),
        required=False,
        help_text=_("The consultation session an opinion raised here is carried into."),
    )

    # Rendered once per process when blank (``members.templatetags.portal_forms``): nothing
    # of these depends on the member, the user or the time; of the lists read in SQL, nothing
    # but their rows.
    same_when_blank = (
        "channel", "mode", "summary", "opinions", "difficulty", "difficulty_kind", "photos",
    )
    same_given_choices = ("platform", "tags", "proposal", "consultation")

    def __init__(self, *args, member, user, proposal_id: int | None = None, **kwargs):
        """``proposal_id``: a proposal offered besides the member's own and co-signed ones
        (the one a proposal-feedback reminder is about)."""
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _("Up to %(n)d photos.") % {"n": MAX_CONTACT_PHOTOS}
        self.fields["contacted_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["consultation"].label_from_instance = _consultation_label
        self._roster_rows = None
        if self.choices_in_sql and not self.is_bound and proposal_id is None and choices.applies(member, user):
            self._offer_in_sql(member)
        else:
            self._scope(member, user, proposal_id)

    # The blank form a member opens to log a contact shows its lists read in SQL
    # (``activities.contacts.choices``), and builds no queryset; a submitted one (and the
    # blank one of a reminder or of someone logging for another) checks and offers through
    # its scoped querysets.
    choices_in_sql = True

    def _scope(self, member, user, proposal_id: int | None) -> None:
        self.fields["constituents"].queryset = (
            Constituent.objects.visible_to(user)
            .filter(member=member)
            .active()
            .never_contacted_first()
        )
        # The member's council's own (the service refuses any other): a city or province
        # member reaches every platform below too, a select of hundreds it would refuse.
        self.fields["platform"].queryset = Platform.objects.visible_to(user).filter(
            active=True, council_id=member.council_id
        )
        offer_tags(self.fields["tags"], council_id=member.council_id)
        visible = Proposal.objects.visible_to(user).filter(council_id=member.council_id)
        mine = visible.of_member(member)
        if proposal_id is not None:
            mine = mine | visible.filter(pk=proposal_id)
        self.fields["proposal"].queryset = mine.order_by("-created_at", "-id")
        self.fields["consultation"].queryset = (
            Consultation.objects.visible_to(user)
            .filter(council_id=member.council_id, members=member)
            .order_by("-held_on", "-id")
        )
        listed(self.fields["platform"], columns=("name",))  # its label (str) is its name
        listed(self.fields["tags"])
        listed(self.fields["proposal"], columns=PROPOSAL_LABEL_COLUMNS)
        listed(self.fields["consultation"], columns=("held_on", "topic"))

    def _offer_in_sql(self, member) -> None:
        self._roster_rows = [RosterPerson(*row) for row in choices.roster(member)]
        lists = choices.lists(member)
        for name, rows in (
            ("platform", lists.platforms),
            ("tags", lists.tags),
            ("proposal", lists.proposals),
            ("consultation", lists.consultations),
        ):
            field = self.fields[name]
            empty = [] if field.empty_label is None else [("", field.empty_label)]
            field.choices = [*empty, *rows]  # the widget's too

    def roster(self) -> list[tuple[RosterPerson, bool]]:
        """The people to tick, each with whether it is ticked: the page draws the boxes
        itself, because a widget rendered per person cost more than the rest of the page.
        Plain rows, not model instances: a member keeps up to ~140 people, and building a
        model instance each cost more than the query."""
        ticked = {str(pk) for pk in self["constituents"].value() or []}
        rows = self._roster_rows
        if rows is None:
            rows = [RosterPerson(*row) for row in self.fields["constituents"].queryset
                    .values_list("pk", "name", "unit", "community")]
        return [(person, str(person.pk) in ticked) for person in rows]

    @property
    def has_links(self) -> bool:
        """Whether the optional proposal / consultation section opens by itself."""
        return any(
            self[name].value() or self.errors.get(name) for name in ("proposal", "consultation")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("difficulty") and not cleaned.get("difficulty_kind"):
            self.add_error("difficulty_kind", _("Say what kind of difficulty the person is in."))
        if not cleaned.get("difficulty"):
            cleaned["difficulty_kind"] = ""
        if len(cleaned.get("photos") or []) > MAX_CONTACT_PHOTOS:
            self.add_error(
                "photos", _("At most %(n)d photos per contact.") % {"n": MAX_CONTACT_PHOTOS}
            )
        return cleaned


# What a proposal's label (``str(proposal)``: number and title) reads.
PROPOSAL_LABEL_COLUMNS = ("number", "title")


def _consultation_label(consultation: Consultation) -> str:
    return choices.consultation_label(consultation.held_on, consultation.topic)


class ContactLogEditForm(ContactLogForm):
    """Edit a logged contact: the log form prefilled, plus the photos already attached
    (tick to remove). What the log already names stays offered even if it has left the
    usual choices since (a constituent made inactive, a platform closed)."""

    choices_in_sql = False  # its querysets keep what the log names, closed or retired since
    same_when_blank = same_given_choices = ()  # never blank: it shows the log

    remove_photos = forms.ModelMultipleChoiceField(
        label=_("Remove photos"),
        queryset=ContactLogPhoto.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, log: ContactLog, user, **kwargs):
        constituent_ids = [c.pk for c in log.constituents.all()]
        kwargs["initial"] = {
            "constituents": constituent_ids,
            "contacted_at": timezone.localtime(log.contacted_at).replace(second=0, microsecond=0),
            "channel": log.channel,
            "mode": log.mode,
            "platform": log.platform_id,
            "summary": log.summary,
            "opinions": log.opinions,
            "difficulty": log.difficulty,
            "difficulty_kind": log.difficulty_kind,
            "proposal": log.proposal_id,
            "consultation": log.consultation_id,
            "tags": [t.pk for t in log.tags.all()],
        }
        super().__init__(*args, member=log.member, user=user, proposal_id=log.proposal_id, **kwargs)
        self.log = log
        roster = Constituent.objects.visible_to(user).filter(member=log.member)
        self.fields["constituents"].queryset = roster.filter(
            Q(active=True) | Q(pk__in=constituent_ids)
        ).never_contacted_first()
        platforms = Platform.objects.visible_to(user)
        self.fields["platform"].queryset = platforms.filter(Q(active=True) | Q(pk=log.platform_id))
        if log.consultation_id:
            self.fields["consultation"].queryset = (
                self.fields["consultation"].queryset
                | Consultation.objects.visible_to(user).filter(pk=log.consultation_id)
            ).distinct()
        offer_tags(self.fields["tags"], council_id=log.council_id, kept=self.initial["tags"])
        self.fields["remove_photos"].queryset = log.photos.all()
        self.fields["photos"].label = _("Add photos")

    def clean(self):
        cleaned = super().clean()
        kept = len(self.log.photos.all()) - len(cleaned.get("remove_photos") or [])
        if kept + len(cleaned.get("photos") or []) > MAX_CONTACT_PHOTOS:
            self.add_error(
                "photos", _("At most %(n)d photos per contact.") % {"n": MAX_CONTACT_PHOTOS}
            )
        return cleaned


# A contact queued on a device is sent when the device is next online: days later, in a
# village without a signal. Older than this it is refused (a phone whose clock was reset
# would otherwise file a contact years back); the member is shown why.
OFFLINE_MAX_AGE_DAYS = 60


class ContactLogSyncForm(ContactLogForm):
    """A contact logged offline, as the device sends it: the log form's fields (the same
    choices and checks) and the key the device gave it. The time is the contact's own, as
    the member entered it on the device, not the time it arrives."""

    key = forms.UUIDField(error_messages={
        "required": _("The contact was sent without its device key."),
        "invalid": _("The contact was sent without its device key."),
    })

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whoever was ticked offline may have left the roster since (moved to another member);
        # the page names them from what the device kept (``refused_constituents``).
        gone = _("Someone you ticked is no longer on your roster (moved to another member or "
                 "removed).")
        self.fields["constituents"].error_messages.update(invalid_choice=gone, invalid_pk_value=gone)

    def clean_contacted_at(self):
        contacted_at = self.cleaned_data["contacted_at"]
        oldest = timezone.now() - timedelta(days=OFFLINE_MAX_AGE_DAYS)
        if contacted_at < oldest:
            raise forms.ValidationError(
                _("The contact is more than %(days)d days old: log it on the form, with its date "
                  "checked.") % {"days": OFFLINE_MAX_AGE_DAYS},
                code="too_old",
            )
        return contacted_at
