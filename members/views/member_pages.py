"""Member pages of the members app (phone first, 375 px): home, my constituents."""

from django.shortcuts import render

from members import permissions


@permissions.member_required
def member_home(request):
    return render(request, "members/member_home.html", {"member": request.user.member})
