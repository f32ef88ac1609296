"""Staff pages of the members app (desktop): members, platforms, constituents, coverage, import/export."""

from django.shortcuts import render

from members import permissions


@permissions.council_reader_required
def staff_home(request):
    return render(request, "members/staff_home.html", {})
