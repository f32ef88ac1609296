"""Member pages (phone first): my proposals, drafting, co-signing, rating, filed proposals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members import permissions
from members.common.forms import service_errors
from members.common.replica import lag_tolerant_view
from members.pagination import page_of, query_without_page
from proposals import rules, services
from proposals.forms import (
    DraftForm,
    InviteForm,
    ProposalForm,
    RateForm,
    RespondForm,
    VersionForm,
)
from proposals.models import CoSigner, Proposal, Session
from proposals.rules import Actor
from proposals.views.common import Action, action_view, draft_create, visible_proposal

__all__ = [
    "cosign_respond",
    "filed_list",
    "my_list",
    "proposal_create",
    "proposal_edit",
    "proposal_invite",
    "proposal_rate",
    "proposal_submit",
]


@permissions.member_required
def my_list(request):
    """Own proposals and those I was invited to co-sign, newest first, with my answer."""
    member = permissions.member_of(request.user)
    my_answer = CoSigner.objects.filter(proposal=OuterRef("pk"), member=member).values("state")
    proposals = (
        Proposal.objects.visible_to(request.user)
        .of_member(member)
        .for_list()
        .annotate(my_cosign=Subquery(my_answer[:1]))
        .order_by("-created_at", "-id")
    )
    page = page_of(proposals, request, per_page=30)
    return render(request, "proposals/proposal_my_list.html", {"page": page, "member": member})


@permissions.member_required
@lag_tolerant_view
def filed_list(request):
    """Every filed proposal of the council, public fields only."""
    sessions = list(Session.objects.visible_to(request.user))
    wanted = request.GET.get("session", "")
    session = next((s for s in sessions if str(s.pk) == wanted), None) or next(
        (s for s in sessions if s.is_current), None
    )
    proposals = Proposal.objects.visible_to(request.user).filed().for_list()
    if session is not None:
        proposals = proposals.of_session(session)
    proposals = proposals.search(request.GET.get("q", "")).order_by("number", "id")
    context = {
        "page": page_of(proposals, request, per_page=30),
        "sessions": sessions,
        "session": session,
        "q": request.GET.get("q", ""),
        "query": query_without_page(request),
    }
    return render(request, "proposals/proposal_filed_list.html", context)


@permissions.member_required
def proposal_create(request):
    form = ProposalForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            proposal = draft_create(request.user, form)
        if call.ok:
            messages.success(request, _("Draft saved. Invite co-signers or submit it."))
            return redirect(proposal.get_absolute_url())
    return render(request, "proposals/proposal_form.html", {"form": form, "proposal": None})


@login_required
def proposal_edit(request, pk: int):
    proposal = visible_proposal(request.user, pk)
    permissions.require(Actor.PROPOSER in rules.actors(request.user, proposal))
    form = DraftForm(request.POST or None, request.FILES or None, user=request.user, instance=proposal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_errors(form) as call, transaction.atomic():
            services.proposal_update(
                proposal=proposal, by=request.user, expected_version=data["version"],
                title=data["title"], category=data["category"],
                reasons=data["reasons"], suggestions=data["suggestions"],
            )
            if data.get("attachment"):
                services.attachment_add(proposal=proposal, by=request.user, file=data["attachment"])
        if call.ok:
            messages.success(request, _("Draft saved."))
            return redirect(proposal.get_absolute_url())
    return render(request, "proposals/proposal_form.html", {"form": form, "proposal": proposal})


proposal_submit = action_view(Action(
    name="submit",
    title=gettext_lazy("Submit the proposal"),
    actors=frozenset({Actor.PROPOSER}),
    form_class=VersionForm,
    run=lambda request, p, data: services.proposal_submit(
        proposal=p, by=request.user, expected_version=data["version"]
    ),
    success=lambda result: _("Submitted. The council will review it."),
    button=gettext_lazy("Submit"),
))

proposal_invite = action_view(Action(
    name="invite",
    title=gettext_lazy("Invite a co-signer"),
    actors=frozenset({Actor.PROPOSER}),
    form_class=InviteForm,
    form_kwargs=lambda request, p: {"proposal": p},
    run=lambda request, p, data: services.cosigner_invite(
        proposal=p, by=request.user, members=[data["member"]]
    ),
    success=lambda result: _("Invitation sent."),
    button=gettext_lazy("Invite"),
))

cosign_respond = action_view(Action(
    name="cosign",
    title=gettext_lazy("Co-sign this proposal?"),
    actors=frozenset({Actor.COSIGNER}),
    form_class=RespondForm,
    run=lambda request, p, data: services.cosigner_respond(
        proposal=p, by=request.user, accept=data["answer"] == "confirm"
    ),
    success=lambda cosigner: (
        _("You co-signed the proposal.")
        if cosigner.state == CoSigner.State.CONFIRMED
        else _("You declined to co-sign.")
    ),
))

proposal_rate = action_view(Action(
    name="rate",
    title=gettext_lazy("Rate the reply"),
    actors=frozenset({Actor.PROPOSER, Actor.COSIGNER}),
    form_class=RateForm,
    run=lambda request, p, data: services.proposal_rate(
        proposal=p, by=request.user, value=data["value"], comment=data["comment"]
    ),
    success=lambda result: _("Thank you: your rating was recorded."),
    button=gettext_lazy("Send rating"),
))
