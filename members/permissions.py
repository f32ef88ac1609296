"""Who may do what — the one module that says it.

Roles (``User.role``): a council's *admin* and *staff* run the portal for their council;
a *leader* reads dashboards and lists but changes nothing; a *member* sees their own
roster, logs and proposals; a *unit* user answers the proposals assigned to its unit.
A superuser is the operator of the whole installation.

Separation of duties (三权分立, GB/T 22239-2019 8.1.4.2): a *security admin* (安全管理员)
manages accounts — lockouts, second-factor resets, unlocking — and nothing else; an *audit
admin* (审计管理员) reads the security audit and nothing else. Neither is council staff, and
no other role (a superuser included) may do what they do. Either one with a council looks
after that council and its subtree; without one, the whole installation.

A user of a city or province council reaches its whole subtree (its districts).
Lookups call ``Model.objects.visible_to(user)``: an object outside it is a 404.
An object the user can see but not change is a 403 (``require``).
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.db.models.expressions import RawSQL

STAFF_ROLES = {"admin", "staff"}


def _role(user) -> str | None:
    if not user.is_authenticated:
        return None
    return user.role


def is_superuser(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


def is_staff(user) -> bool:
    """Council staff (admins included): may see and change everything in their council."""
    return is_superuser(user) or _role(user) in STAFF_ROLES


def is_leader(user) -> bool:
    return _role(user) == "leader"


def can_read_council(user) -> bool:
    """Staff and leaders read council-wide lists and dashboards."""
    return is_staff(user) or is_leader(user)


def is_member(user) -> bool:
    return _role(user) == "member" and member_of(user) is not None


def is_unit(user) -> bool:
    return _role(user) == "unit"


def is_security_admin(user) -> bool:
    """安全管理员: sees and lifts lockouts, resets second factors, unlocks accounts."""
    return _role(user) == "security_admin"


def is_audit_admin(user) -> bool:
    """审计管理员: the one role that reads the audit. Not a superuser: whoever installs and
    runs the system is not the one who reads the record of what was done on it."""
    return _role(user) == "audit_admin" and not user.is_superuser


def duty_reach_q(user, field: str = "council") -> Q:
    """What a security or audit admin looks after: their council's subtree, or everything
    when they have no council (the installation's)."""
    if not (is_security_admin(user) or is_audit_admin(user)):
        return Q(pk__in=[])
    if user.council_id is None:
        return Q()
    if field != "pk" and user.council.level == "district":
        return Q(**{f"{field}_id": user.council_id})
    return subtree_q(user.council_id, field)


def member_of(user):
    """The ``Member`` behind a login, or ``None`` (cached on the user by the relation)."""
    if not user.is_authenticated:
        return None
    try:
        return user.member
    except user._meta.model.member.RelatedObjectDoesNotExist:
        return None


def subtree_q(council_id: int, field: str = "council") -> Q:
    """Rows of ``council_id`` and of the councils under it (province → city → district).
    ``field`` is a FK to Council, or ``pk`` for Council itself."""
    if field == "pk":
        return Q(pk=council_id) | Q(parent_id=council_id) | Q(parent__parent_id=council_id)
    return (
        Q(**{f"{field}_id": council_id})
        | Q(**{f"{field}__parent_id": council_id})
        | Q(**{f"{field}__parent__parent_id": council_id})
    )


def subtree_ids(council_id: int) -> RawSQL:
    """The ids of ``council_id`` and of the councils under it, as a subquery for ``__in``
    (``council_id__in=subtree_ids(…)``): the same councils as ``subtree_q(…, "pk")``. Built
    from plain SQL because a city's or province's pages filter a dozen querysets each by it:
    the ORM built the OR over two joins to the council table anew for every one (~1 ms
    each, a tenth of an uncached province dashboard), and the database planned the joins."""
    from members.models import Council  # members.models imports this module

    table = Council._meta.db_table
    return RawSQL(
        f"SELECT id FROM {table} WHERE id = %s OR parent_id = %s "
        f"OR parent_id IN (SELECT id FROM {table} WHERE parent_id = %s)",
        (council_id, council_id, council_id),
    )


# What councils a user reaches (``reach_of``).
REACH_ALL, REACH_NONE, REACH_OWN, REACH_SUBTREE = "all", "none", "own", "subtree"


def reach_of(user) -> tuple[str, int | None]:
    """The councils ``user`` reaches, as ``(kind, council id)``: every council (a superuser),
    none (anyone without a council), their own (a district's user) or their council's subtree
    (a city's or province's). ``council_q``, ``CouncilScopedQuerySet.in_reach_of`` and the
    dashboard's SQL (``liaison.dashboard.sql.reach``) each write this one answer."""
    if is_superuser(user):
        return REACH_ALL, None
    if not user.is_authenticated or user.council_id is None:
        return REACH_NONE, None
    if user.council.level == "district":
        return REACH_OWN, user.council_id
    return REACH_SUBTREE, user.council_id


def council_q(user, field: str = "council") -> Q:
    """A filter on ``field`` (a FK to Council, or ``pk`` on Council itself) limiting rows to
    the councils ``user`` reaches: their own and, for a city or province, its subtree."""
    return reach_q(reach_of(user), field)


def reach_q(reach: tuple[str, int | None], field: str = "council") -> Q:
    """``council_q`` for a reach already answered by ``reach_of``."""
    kind, council_id = reach
    if kind == REACH_ALL:
        return Q()
    if kind == REACH_NONE:
        return Q(pk__in=[])
    if kind == REACH_OWN:
        return Q(**{field if field == "pk" else f"{field}_id": council_id})
    return subtree_q(council_id, field)


def may_act_for(user, member) -> bool:
    """The member themself, or staff of a council that reaches the member's council: who may
    keep a member's roster or log contacts on their behalf."""
    if is_member(user) and member_of(user) == member:
        return True
    if not is_staff(user):
        return False
    from members.models import Council  # members.models imports this module

    return Council.objects.in_reach_of(user).filter(pk=member.council_id).exists()


def can_see_constituent_phone(user, constituent) -> bool:
    if is_staff(user):
        return True
    member = member_of(user)
    return member is not None and constituent.member_id == member.pk


def can_change_constituent(user, constituent) -> bool:
    return can_see_constituent_phone(user, constituent)


def require(allowed: bool) -> None:
    """Refuse with 403: the user may see the object but not do this to it."""
    if not allowed:
        raise PermissionDenied


def role_required(check):
    """View decorator: 403 unless ``check(request.user)``; anonymous users go to login."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(is_staff)
council_reader_required = role_required(can_read_council)
member_required = role_required(is_member)
security_admin_required = role_required(is_security_admin)
audit_admin_required = role_required(is_audit_admin)
