"""Forms of the QR intake: the public page's, and the staff's triage forms."""

from __future__ import annotations

from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from activities.contacts.models import ContactLog
from liaison.intake import services
from liaison.intake.models import Submission

# django-simple-captcha's catalogue words Django's "This field is required." its own way, and
# an installed app's catalogue outranks Django's: the portal's own (LOCALE_PATHS, first of
# all) keeps Django's wording on every form. Named here so that the catalogue keeps it.
REQUIRED = _("This field is required.")


class SubmissionForm(forms.Form):
    """What a constituent fills in. ``website`` is a honeypot: hidden from people (and from
    screen readers), filled only by robots that fill every field."""

    category = forms.ChoiceField(
        label=_("What is it about?"), choices=Submission.Category.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Your message"), max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": services.MAX_TEXT}),
        help_text=_("At most %(n)d characters.") % {"n": services.MAX_TEXT},
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=services.MAX_NAME,
                           required=False)
    phone = forms.CharField(
        label=_("Your phone (optional)"), max_length=30, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Needed if you would like a member to contact you."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"), required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label=_("I have read the notice above and agree that my message and the personal "
                "information I give are used as it says."),
        required=True,
        error_messages={"required": _("Please agree to how your personal information is used.")},
    )
    captcha = CaptchaField(
        label=_("Work out the sum in the picture"),
        error_messages={"invalid": _("The sum is not right; try the new picture.")},
    )

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=None,
                                    empty_label=_("— choose a member —"))
    difficulty_kind = forms.ChoiceField(
        label=_("Kind of difficulty"), choices=ContactLog.Difficulty.choices, required=False,
    )

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = services.members_for(submission).select_related("sector")
        self.fields["member"].label_from_instance = lambda m: f"{m.name}（{m.sector.name}）"
        if submission.category != Submission.Category.DIFFICULTY:
            del self.fields["difficulty_kind"]


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Same matter as"), queryset=None,
                                  empty_label=_("— choose a message —"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Submission.objects.filter(
            pk__in=[c.pk for c in candidates]
        ).select_related("platform")
        self.fields["into"].label_from_instance = lambda s: _(
            "No. %(number)s, %(platform)s, %(day)s: %(text)s"
        ) % {"number": s.pk, "platform": s.platform.name,
             "day": s.submitted_at.date().isoformat(), "text": s.text[:30]}


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Submission.CloseReason.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class BlockForm(forms.Form):
    note = forms.CharField(label=_("Why (kept with the block)"), max_length=200, required=False)
