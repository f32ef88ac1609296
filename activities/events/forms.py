"""Forms for activities, attendance, consultations and problems. They validate and clean;
``activities.events.services`` acts."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from activities.common.forms import (
    CouncilListFormSet,
    DateInput,
    DateTimeInput,
    MultipleImageField,
    form_helper,
)
from activities.events.models import (
    Activity,
    ActivityKind,
    ActivitySeries,
    Attendance,
    Consultation,
    Problem,
)
from activities.events.models.activities import MAX_PHOTOS
from activities.tags.forms import offer_tags, tags_field
from members.common.widgets import LookupSelectMultiple, member_label
from members.models import Committee, Constituent, Member, Platform, Sector


class ActivityForm(forms.ModelForm):
    tags = tags_field()
    new_series = forms.CharField(
        label=_("or a new series"), max_length=100, required=False,
        help_text=_("e.g. 人民政协成立75周年系列活动"),
    )
    photos = MultipleImageField(
        label=_("Add photos"),
        help_text=_("Up to %(n)d photos per activity, images only.") % {"n": MAX_PHOTOS},
    )
    remove_photos = forms.ModelMultipleChoiceField(
        label=_("Remove photos"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = [
            "title", "kind", "channel", "starts_at", "ends_at", "place", "platform", "committee",
            "sectors", "series", "tags", "state", "constituents_reached", "constituents", "summary",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "sectors": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "sectors": _("Two or more sectors make it a cross-sector activity (跨界联动)."),
            "constituents": _(
                "Constituents kept by the members who signed up or attended, and those of the "
                "activity's sectors. Named ones count among the constituents reached."
            ),
        }

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
        self.fields["kind"].queryset = ActivityKind.objects.filter(council=council, active=True)
        self.fields["platform"].queryset = Platform.objects.filter(council=council, active=True)
        self.fields["committee"].queryset = Committee.objects.filter(council=council)
        self.fields["sectors"].queryset = Sector.objects.filter(council=council)
        self.fields["series"].queryset = ActivitySeries.objects.filter(council=council)
        self.fields["tags"].widget.attrs.pop("class", None)  # crispy draws the boxes
        # The tags it names already, read once for the form's initial value.
        offer_tags(self.fields["tags"], council_id=council.pk, kept=self.initial.get("tags") or ())
        if self.instance.pk:
            self.fields["kind"].queryset = ActivityKind.objects.filter(council=council).filter(
                Q(active=True) | Q(pk=self.instance.kind_id)  # a retired kind it already has
            )
            self.fields["remove_photos"].queryset = self.instance.photos.all()
            self.fields["remove_photos"].label_from_instance = lambda p: p.image.name.rsplit("/", 1)[-1]
            field = self.fields["constituents"]
            field.queryset = constituent_choices(self.instance)
            field.label_from_instance = _constituent_label
            # The sectors' constituents run to thousands: typed into a picker whose lookup
            # offers these choices (activities:activity-constituent-lookup), never listed.
            field.widget = LookupSelectMultiple(
                "activities:activity-constituent-lookup", params={"activity": self.instance.pk},
            )
            field.widget.choices = field.choices
        else:
            del self.fields["remove_photos"]
            # Nobody has signed up and no sector is saved yet: named after the first save.
            del self.fields["constituents"]

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at < starts_at:
            self.add_error("ends_at", _("The end cannot be before the start."))
        named, reached = cleaned.get("constituents"), cleaned.get("constituents_reached")
        if named is not None and reached is not None and reached < len(named):
            self.add_error("constituents_reached", _(
                "Constituents reached cannot be fewer than the %(n)d named constituents."
            ) % {"n": len(named)})
        if cleaned.get("series") and cleaned.get("new_series"):
            self.add_error("new_series", _("Choose a series or name a new one, not both."))
        return cleaned


def constituent_choices(activity: Activity):
    """The constituents an activity may name, kept short: those kept by the members who signed
    up or attended and those of the activity's sectors (active ones), and any already named."""
    people = Attendance.objects.filter(activity=activity).values("member_id")
    sectors = activity.sectors.values("pk")
    return (
        Constituent.objects.filter(council_id=activity.council_id)
        .filter(
            (Q(active=True) & (Q(member_id__in=people) | Q(sector_id__in=sectors)))
            | Q(pk__in=activity.constituents.values("pk"))
        )
        .select_related("member")
        .order_by("name", "pk")
    )


def _constituent_label(constituent: Constituent) -> str:
    return f"{constituent.name}（{constituent.member.name}）"


class AttendanceForm(forms.Form):
    """Who came: typed into the member picker (it was a box for every serving member of the
    council); the page carries those already marked present."""

    attended = forms.ModelMultipleChoiceField(
        label=_("Members present"), queryset=None, required=False,
        widget=LookupSelectMultiple("members:member-lookup"),
    )

    def __init__(self, *args, activity: Activity, **kwargs):
        super().__init__(*args, **kwargs)
        attended = self.fields["attended"]
        attended.queryset = Member.objects.filter(
            council_id=activity.council_id, status=Member.Status.ACTIVE
        ).select_related("sector")
        attended.label_from_instance = member_label
        attended.widget.params = {"council": activity.council_id, "active": "1"}


class ConsultationForm(forms.ModelForm):
    photos = MultipleImageField(
        label=_("Add photos"),
        help_text=_("Up to %(n)d photos per consultation, images only.") % {"n": MAX_PHOTOS},
    )
    remove_photos = forms.ModelMultipleChoiceField(
        label=_("Remove photos"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Consultation
        fields = [
            "topic", "held_on", "platform", "host", "members", "sectors", "officials_count",
            "officials_names", "constituents_count", "constituents_names", "minutes",
        ]
        widgets = {
            "held_on": DateInput(),
            # Typed, not scrolled: a council has hundreds of members (a province's subtree
            # tens of thousands); the page carries the chosen ones only.
            "members": LookupSelectMultiple("members:member-lookup"),
            "sectors": forms.CheckboxSelectMultiple,
            "officials_names": forms.Textarea(attrs={"rows": 2}),
            "constituents_names": forms.Textarea(attrs={"rows": 2}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "sectors": _("Their serving members are reminded to visit constituents before the consultation."),
        }

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
        self.helper.include_media = False  # the template puts the picker's files in place
        self.fields["platform"].queryset = Platform.objects.filter(council=council)
        members = self.fields["members"]
        members.queryset = Member.objects.filter(council=council).select_related("sector")
        members.label_from_instance = member_label
        members.widget.params = {"council": council.pk}
        members.error_messages["invalid_choice"] = members.error_messages["invalid_pk_value"] = _(
            "Choose members of this council."
        )
        self.fields["sectors"].queryset = Sector.objects.filter(council=council)
        if self.instance.pk:
            self.fields["remove_photos"].queryset = self.instance.photos.all()
            self.fields["remove_photos"].label_from_instance = lambda p: p.image.name.rsplit("/", 1)[-1]
        else:
            del self.fields["remove_photos"]


class ProblemForm(forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["description", "raised_by", "responsible_unit"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class ProblemStateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=Problem.State.choices)
    resolution = forms.CharField(
        label=_("Resolution (or why it cannot be solved)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    resolved_on = forms.DateField(label=_("Resolved on"), required=False, widget=DateInput())

    def __init__(self, *args, problem: Problem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
        if problem is not None:
            self.fields["state"].choices = problem.next_states


class ProposalLinkForm(forms.Form):
    proposal = forms.ModelChoiceField(label=_("Proposal"), queryset=None)

    def __init__(self, *args, user, council_id, **kwargs):
        from proposals.models import Proposal

        super().__init__(*args, **kwargs)
        self.helper = form_helper()
        self.fields["proposal"].queryset = Proposal.objects.visible_to(user).filter(
            council_id=council_id
        )


class BaseActivityKindFormSet(CouncilListFormSet):
    """The council's list of activity kinds."""

    model = ActivityKind
    duplicate_message = _("Each kind needs a different name.")
    foreign_message = _("Choose activity kinds of this council.")


ActivityKindFormSet = modelformset_factory(
    ActivityKind, formset=BaseActivityKindFormSet, fields=["name", "order", "active"], extra=2,
)
