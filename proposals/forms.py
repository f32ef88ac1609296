"""Forms of the proposal pages. They validate and clean; ``proposals.services`` acts.

Every form that changes a proposal carries the ``version`` the page showed: the service
refuses with a conflict when somebody changed the proposal in between.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members import permissions
from members.common.widgets import LookupSelect, LookupSelectMultiple, member_label
from members.models import Committee, Member, Sector
from proposals.models import (
    Category,
    HandlingUnit,
    Proposal,
    ProposerKind,
    Rating,
    Reply,
    Session,
)
from proposals.rules import MERGE_LEAD_STATES
from proposals.services import (
    DEFAULT_HANDLING_MONTHS,
    MAX_ATTACHMENT_BYTES,
    MAX_TEXT,
    default_deadline,
)

MAX_REASON = 2_000
_UNIT_OUT_OF_REACH = _("Choose active handling units of this proposal's council.")


def _long_text(label, *, required=True, max_length=MAX_TEXT, rows=6, help_text=""):
    return forms.CharField(
        label=label, required=required, max_length=max_length, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _check_size(upload):
    if upload and upload.size > MAX_ATTACHMENT_BYTES:
        raise forms.ValidationError(_("The file is too large (at most 20 MB)."))
    return upload


class VersionForm(forms.Form):
    """The version of the proposal the page showed (hidden)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DraftForm(forms.ModelForm):
    """The text of a draft: what the proposer may change until it is submitted."""

    reasons = _long_text(_("Reasons (案由)"), rows=8)
    suggestions = _long_text(_("Suggestions (建议)"), rows=8)
    attachment = forms.FileField(label=_("Attachment"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Proposal
        fields = ["title", "category", "reasons", "suggestions"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.visible_to(user).filter(active=True)
        self.fields["category"].required = True
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give the proposal a title."))
        return title

    def clean_attachment(self):
        return _check_size(self.cleaned_data.get("attachment"))


class ProposalForm(DraftForm):
    """A new proposal: a member writes their own, or one for the sector, party group or
    committee they belong to (a collective proposal)."""

    version = None

    class Meta(DraftForm.Meta):
        fields = [
            "session", "title", "category", "reasons", "suggestions",
            "proposer_kind", "proposer_sector", "proposer_committee",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["session"].queryset = Session.objects.visible_to(user)
        self.fields["session"].empty_label = None
        self.fields["proposer_sector"].queryset = self._sectors(user)
        self.fields["proposer_committee"].queryset = self._committees(user)
        self.fields["proposer_sector"].error_messages["invalid_choice"] = _(
            "You can only enter a collective proposal for your own sector or party group."
        )
        self.fields["proposer_committee"].error_messages["invalid_choice"] = _(
            "You can only enter a committee proposal for the special committee you serve on."
        )
        self.fields["proposer_kind"].label = _("Proposed by")
        self.fields["proposer_sector"].help_text = _("For a proposal of a sector or party group.")
        self.fields["proposer_committee"].help_text = _("For a proposal of a special committee.")
        current = self.fields["session"].queryset.current().first()
        if current is not None:
            self.initial.setdefault("session", current.pk)

    @staticmethod
    def _sectors(user):
        """A member speaks for their own sector or party group only."""
        member = permissions.member_of(user)
        return Sector.objects.visible_to(user).filter(pk=member.sector_id if member else None)

    @staticmethod
    def _committees(user):
        """… and for the special committee they serve on."""
        member = permissions.member_of(user)
        return Committee.objects.visible_to(user).filter(pk=member.committee_id if member else None)

    def clean(self):
        data = super().clean()
        kind = data.get("proposer_kind")
        # (A choice refused by the field already says why: no second message.)
        if (kind in (ProposerKind.SECTOR, ProposerKind.PARTY) and not data.get("proposer_sector")
                and "proposer_sector" not in self.errors):
            self.add_error("proposer_sector", _("Choose the sector or party group."))
        if (kind == ProposerKind.COMMITTEE and not data.get("proposer_committee")
                and "proposer_committee" not in self.errors):
            self.add_error("proposer_committee", _("Choose the special committee."))
        return data

    def fields_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "session": data["session"],
            "title": data["title"],
            "reasons": data["reasons"],
            "suggestions": data["suggestions"],
            "category": data["category"],
            "proposer_kind": data["proposer_kind"],
            "proposer_sector": data.get("proposer_sector"),
            "proposer_committee": data.get("proposer_committee"),
        }


class StaffProposalForm(ProposalForm):
    """Staff enter a proposal handed in on paper or for a collective proposer: for any
    serving member, sector, party group or committee of their council."""

    class Meta(ProposalForm.Meta):
        fields = [
            "session", "proposer_kind", "proposer", "proposer_sector", "proposer_committee",
            "title", "category", "reasons", "suggestions",
        ]
        # Typed, not scrolled: a province's staff reach tens of thousands of members.
        widgets = {"proposer": LookupSelect("members:member-lookup", params={"active": "1"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        proposer = self.fields["proposer"]
        proposer.queryset = Member.objects.visible_to(user).active().select_related("sector")
        proposer.label_from_instance = member_label
        proposer.label = _("Proposing member")
        proposer.help_text = _("For a proposal of one member.")
        proposer.error_messages["invalid_choice"] = _(
            "Choose a serving member of your own council."
        )
        self.fields["proposer_sector"].error_messages["invalid_choice"] = _(
            "Choose a sector or party group of your own council."
        )
        self.fields["proposer_committee"].error_messages["invalid_choice"] = _(
            "Choose a special committee of your own council."
        )

    @staticmethod
    def _sectors(user):
        return Sector.objects.visible_to(user)

    @staticmethod
    def _committees(user):
        return Committee.objects.visible_to(user)

    def clean(self):
        data = super().clean()
        if (data.get("proposer_kind") == ProposerKind.MEMBER and not data.get("proposer")
                and "proposer" not in self.errors):
            self.add_error("proposer", _("Choose the proposing member."))
        return data

    def fields_for_service(self) -> dict:
        fields = super().fields_for_service()
        if fields["proposer_kind"] == ProposerKind.MEMBER:
            fields["proposer"] = self.cleaned_data["proposer"]
        return fields


class InviteForm(VersionForm):
    """Invite a co-signer: any serving member of the proposer's own council."""

    member = forms.ModelChoiceField(
        label=_("Co-signer"), queryset=Member.objects.none(),
        error_messages={"invalid_choice": _("Only serving members of your own council can co-sign.")},
    )

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = invitable_members(proposal)
        field.label_from_instance = member_label
        # A council has hundreds to thousands of members: typed, not scrolled.
        field.widget = LookupSelect("proposals:cosigner-lookup", params={"proposal": proposal.pk},
                                    placeholder=_("Type a name"))
        field.widget.choices = field.choices


def invitable_members(proposal: Proposal):
    """Who may be invited to co-sign: a serving member of the proposal's council who is
    neither its proposer nor already invited (the form's choices and its picker's lookup)."""
    taken = proposal.cosigners.values("member_id")
    return (
        Member.objects.filter(council_id=proposal.council_id)
        .active()
        .exclude(pk__in=taken)
        .exclude(pk=proposal.proposer_id or 0)
        .select_related("sector")
        .order_by("sector__order", "name", "id")
    )


class RespondForm(VersionForm):
    answer = forms.ChoiceField(
        choices=[("confirm", _("Confirm")), ("decline", _("Decline"))], widget=forms.HiddenInput
    )


class RateForm(VersionForm):
    value = forms.ChoiceField(
        label=_("Your rating of the reply"), choices=Rating.Value.choices, widget=forms.RadioSelect
    )
    comment = _long_text(_("Comment"), required=False, max_length=MAX_REASON, rows=3)


# --- staff -----------------------------------------------------------------------------
class RejectForm(VersionForm):
    reason = _long_text(_("Reason for not filing"), max_length=MAX_REASON, rows=3)
    to_opinion = forms.BooleanField(
        label=_("Pass it on as a social-conditions opinion (意见建议)"), required=False
    )


class ReturnForm(VersionForm):
    reason = _long_text(_("What should the proposer revise?"), max_length=MAX_REASON, rows=3)


def _check_deadline(deadline):
    if deadline and deadline < timezone.localdate():
        raise forms.ValidationError(_("The deadline cannot be in the past."))
    return deadline


class AssignForm(VersionForm):
    """交办. The units are picked by typing (``proposals:unit-lookup``): the page carries the
    chosen ones only. The fields accept the active units of the proposal's own council."""

    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=HandlingUnit.objects.none(),
        widget=LookupSelect("proposals:unit-lookup", placeholder=_("Type part of a unit's name")),
        error_messages={"invalid_choice": _UNIT_OUT_OF_REACH},
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"), queryset=HandlingUnit.objects.none(), required=False,
        widget=LookupSelectMultiple(
            "proposals:unit-lookup", placeholder=_("Type part of a unit's name")
        ),
        error_messages={"invalid_choice": _UNIT_OUT_OF_REACH,
                        "invalid_pk_value": _UNIT_OUT_OF_REACH},
    )
    deadline = forms.DateField(
        # ISO, whatever the language: a date input shows nothing of a value in another shape.
        label=_("Deadline"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=format_lazy(_("Prefilled with the usual handling period: {months} months from today."),
                              months=DEFAULT_HANDLING_MONTHS),
    )

    def __init__(self, *args, user, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        units = HandlingUnit.objects.visible_to(user).filter(
            active=True, council_id=proposal.council_id
        )
        for name in ("lead_unit", "co_units"):
            self.fields[name].queryset = units
            self.fields[name].widget.params = {"council": proposal.council_id}
        self.fields["deadline"].initial = default_deadline()

    def clean_deadline(self):
        return _check_deadline(self.cleaned_data["deadline"])

    def clean(self):
        data = super().clean()
        lead, co = data.get("lead_unit"), data.get("co_units")
        if lead and co and lead in co:
            self.add_error("co_units", _("The lead unit cannot also be a co-handling unit."))
        return data


class DeadlineForm(VersionForm):
    deadline = forms.DateField(
        label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_deadline(self):
        return _check_deadline(self.cleaned_data["deadline"])


class MergeForm(VersionForm):
    lead = forms.ModelChoiceField(
        label=_("Merge into (lead proposal)"), queryset=Proposal.objects.none(),
        error_messages={"invalid_choice": _("Choose a proposal of the same session.")},
    )

    def __init__(self, *args, proposal: Proposal, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = (
            Proposal.objects.visible_to(user)
            .filter(session_id=proposal.session_id, state__in=MERGE_LEAD_STATES)
            .exclude(pk=proposal.pk)
            .order_by("number", "id")
        )


class NoteForm(VersionForm):
    internal_note = _long_text(
        _("Internal note (staff only)"), required=False, max_length=MAX_TEXT, rows=3
    )


# --- handling unit ---------------------------------------------------------------------
class ReplyForm(VersionForm):
    category = forms.ChoiceField(
        label=_("Reply category"), choices=Reply.Category.choices, widget=forms.RadioSelect
    )
    text = _long_text(_("Reply"), rows=8)
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def clean_attachment(self):
        return _check_size(self.cleaned_data.get("attachment"))


class SendBackForm(VersionForm):
    reason = _long_text(_("Why is it not for your unit?"), max_length=MAX_REASON, rows=3)
