from members import permissions


def portal(request):
    """Role flags for the navbar and the unread-notice count (the user's own counter: no query)."""
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
        "unread_count": user.unread_notices,
    }
