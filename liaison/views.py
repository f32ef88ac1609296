import posixpath

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from members import permissions, services
from members.common.storage import stored_file_response
from members.exports import record_download
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
    if permissions.is_security_admin(user):
        return redirect("members:security-home")
    if permissions.is_audit_admin(user):
        return redirect("members:audit-list")
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
        services.notification_read(notice=notice)
    return redirect(notice.url or "inbox")


# Every model that stores uploaded files: (model, its file fields, the record it belongs to).
# The record's own ``visible_to`` decides who may fetch the file.
def _stored_files():
    from activities.models import ActivityPhoto, ConsultationPhoto, ContactLogPhoto
    from proposals.models import ProposalAttachment, Reply

    return {
        "contact-logs": [(ContactLogPhoto, ("image", "thumbnail"), "contact_log")],
        "activities": [(ActivityPhoto, ("image", "thumbnail"), "activity")],
        "consultations": [(ConsultationPhoto, ("image", "thumbnail"), "consultation")],
        "proposals": [(ProposalAttachment, ("file",), "proposal"), (Reply, ("attachment",), "proposal")],
    }


def _is_plain_name(name: str) -> bool:
    """A stored name as the storage writes it: relative, no ``..``, no empty or ``.`` parts, no
    backslashes. Anything that would normalise into another path is refused outright."""
    return (
        posixpath.normpath(name) == name
        and not name.startswith("/")
        and ".." not in name.split("/")
        and "\\" not in name
        and "\x00" not in name
    )


def _file_owner(user, name: str):
    """The record a stored file belongs to, if ``user`` may see it; else None.

    The file is found by its exact stored name in the model its folder names, and the row's
    owner is checked through ``visible_to``: the URL only says where to look."""
    for model, fields, owner in _stored_files().get(name.partition("/")[0], []):
        by_name = Q()
        for field in fields:
            by_name |= Q(**{field: name})
        owner_id = model.objects.filter(by_name).values_list(f"{owner}_id", flat=True).first()
        if owner_id is None:
            continue
        owner_model = model._meta.get_field(owner).related_model
        if owner_model.objects.visible_to(user).filter(pk=owner_id).exists():
            return owner_id
    return None


@login_required
def media(request, path: str):
    """Uploaded photos and attachments, only to users who may see the record they belong to
    (they show constituents and internal documents); anything else is a 404. The portal
    decides; nginx (X-Accel-Redirect) sends the bytes of a local folder, the portal streams
    those of any other storage (``members.common.storage``)."""
    if not _is_plain_name(path) or _file_owner(request.user, path) is None:
        raise Http404
    is_image = path.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))
    if not is_image:
        record_download(filename=path, rows=None, request=request)
    # Anything but a photo is offered as a download, never rendered by the browser.
    return stored_file_response(request, path, attachment=not is_image)
