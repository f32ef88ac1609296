from functools import cache

from members import permissions
from members.models import Notification


def portal(request):
    """Role flags for the navbar and the unread-notice count (one COUNT query, logged-in only)."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "is_staff_user": permissions.is_staff(user),
        "is_leader_user": permissions.is_leader(user),
        "is_member_user": permissions.is_member(user),
        "is_unit_user": permissions.is_unit(user),
        "is_security_admin_user": permissions.is_security_admin(user),
        "is_audit_admin_user": permissions.is_audit_admin(user),
        # Called lazily (only pages that render the navbar pay for it) and at most once.
        "unread_count": cache(lambda: Notification.objects.unread_count(user)),
    }
