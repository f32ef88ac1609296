from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.static import serve

from members import permissions
from members.models import Notification


@login_required
def home(request):
    """Each role starts on its own page."""
    user = request.user
    if permissions.is_member(user):
        return redirect("members:member-home")
    if permissions.is_unit(user):
        return redirect("proposals:unit-list")
    if permissions.can_read_council(user):
        return redirect("members:staff-home")
    return render(request, "liaison/home.html")


@login_required
def inbox(request):
    notices = Notification.objects.for_user(request.user)
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    return render(request, "liaison/inbox.html", {"page": page})


@login_required
def inbox_open(request, pk: int):
    """Mark a notice read and follow its link."""
    notice = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return redirect(notice.url or "inbox")


@login_required
def media(request, path: str):
    """Uploaded photos, for logged-in users only (they show constituents)."""
    from django.conf import settings

    return serve(request, path, document_root=settings.MEDIA_ROOT)
