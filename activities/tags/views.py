"""The council's "四联四助" tags: staff keep the list (rename, reorder, retire, add)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from activities.tags.forms import LinkTagFormSet
from activities.tags.services import link_tags_ensure
from members import permissions


@permissions.staff_required
def tag_list(request):
    council = request.user.council
    if council is None:
        raise PermissionDenied
    link_tags_ensure(council=council)
    formset = LinkTagFormSet(request.POST or None, council=council)
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, _("The list of link-and-help tags was saved."))
        return redirect("activities:tag-list")
    return render(request, "activities/tag_list.html", {"formset": formset})
