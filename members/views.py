"""Views of the members app: member pages (phone first) and staff pages."""

from django.shortcuts import render

from members import permissions


@permissions.member_required
def member_home(request):
    return render(request, "members/member_home.html", {"member": request.user.member})


@permissions.council_reader_required
def staff_home(request):
    return render(request, "members/staff_home.html", {})
