from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
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


def _media_owners():
    """The first folder of an uploaded file's path names the record it belongs to; the
    record's own ``visible_to`` decides who may fetch the file."""
    from activities.models import Activity, Consultation, ContactLog
    from proposals.models import Proposal

    return {
        "contact-logs": ContactLog,
        "activities": Activity,
        "consultations": Consultation,
        "proposals": Proposal,
    }


@login_required
def media(request, path: str):
    """Uploaded photos and attachments, only to users who may see the record they belong to
    (they show constituents and internal documents): anything else is a 404."""
    folder, _, rest = path.partition("/")
    record_id = rest.partition("/")[0]
    model = _media_owners().get(folder)
    if model is None or not record_id.isdigit():
        raise Http404
    get_object_or_404(model.objects.visible_to(request.user).only("pk"), pk=int(record_id))
    return serve(request, path, document_root=settings.MEDIA_ROOT)
