"""The pages of the separated duties (三权分立; ``members.permissions``).

- The audit admin (审计管理员) reads the security audit — filtered, newest first, paged — and
  exports it (the export is itself audited). Nobody else may, a superuser included.
- The security admin (安全管理员) sees and lifts lockouts, resets a login's second factor and
  disables or re-enables logins, within the councils they look after. Nobody else may here;
  neither touches a superuser's account nor their own.
"""

from __future__ import annotations

import json

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from members import audit, exports, permissions
from members.filters import AuditFilter
from members.models import AuditEntry, User
from members.pagination import page_of, query_without_page

__all__ = [
    "account_active",
    "audit_export",
    "audit_list",
    "lockout_lift",
    "otp_reset",
    "security_home",
]

AUDIT_PAGE = 50
AUDIT_COLUMNS = [
    ("time", gettext_lazy("Time")),
    ("username", gettext_lazy("Login name")),
    ("role", gettext_lazy("Role")),
    ("council_name", gettext_lazy("Council")),
    ("ip", gettext_lazy("Source IP")),
    ("action", gettext_lazy("Action")),
    ("object_type", gettext_lazy("Object type")),
    ("object_id", gettext_lazy("Object id")),
    ("object_repr", gettext_lazy("Object")),
    ("result", gettext_lazy("Result")),
    ("detail", gettext_lazy("Detail")),
]


def _audit_filter(request) -> AuditFilter:
    rows = AuditEntry.objects.visible_to(request.user).newest_first()
    return AuditFilter(request.GET, queryset=rows, request=request)


@permissions.audit_admin_required
def audit_list(request):
    filterset = _audit_filter(request)
    page = page_of(filterset.qs, request, AUDIT_PAGE, capped=True)
    return render(request, "members/audit_list.html", {
        "filter": filterset, "page": page, "query": query_without_page(request),
    })


@permissions.audit_admin_required
def audit_export(request):
    """The filtered audit as Excel, or as CSV (``?format=csv``)."""
    rows = _audit_filter(request).qs.values_list(*[field for field, _label in AUDIT_COLUMNS])
    headers = [str(label) for _field, label in AUDIT_COLUMNS]
    actions = dict(audit.Action.choices)
    results = dict(audit.Result.choices)

    def lines():
        for row in rows.iterator(chunk_size=exports.CHUNK):
            row = list(row)
            row[5] = str(actions.get(row[5], row[5]))
            row[9] = str(results.get(row[9], row[9]))
            row[10] = _detail_text(row[10])
            yield row

    if request.GET.get("format") == "csv":
        return exports.csv_response(filename=exports.stamped("audit", "csv"), headers=headers, rows=lines())
    return exports.xlsx_response(
        filename=exports.stamped("audit"), sheet_title=_("Security audit"), headers=headers, rows=lines()
    )


def _detail_text(detail) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""


# --- security admin ------------------------------------------------------------------------


def _accounts(user):
    """Logins a security admin looks after: of their councils (all, without a council), not
    superusers, not themselves."""
    return User.objects.filter(permissions.duty_reach_q(user)).exclude(is_superuser=True).exclude(pk=user.pk)


def _lockouts(user):
    """Login-failure records (django-axes) past the limit within the cool-off, newest first:
    by login name in the councils they look after; every one (addresses too) without a
    council."""
    if not apps.is_installed("axes"):
        return []
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    ).order_by("-attempt_time")
    if user.council_id is not None:
        attempts = attempts.filter(username__in=_accounts(user).values("username"))
    return attempts


@permissions.security_admin_required
def security_home(request):
    q = request.GET.get("q", "").strip()
    accounts = _accounts(request.user).select_related("council").order_by("-is_active", "username")
    if q:
        accounts = accounts.filter(Q(username__startswith=q) | Q(display_name__contains=q))
    if request.GET.get("inactive"):
        accounts = accounts.filter(is_active=False)
    page = page_of(accounts, request, 30)
    devices = _device_counts([u.pk for u in page])
    for account in page:
        account.device_count = devices.get(account.pk, 0)
    return render(request, "members/security_home.html", {
        "lockouts": list(_lockouts(request.user)[:100]),
        "page": page,
        "q": q,
        "query": query_without_page(request),
    })


def _device_models():
    from django_otp import device_classes

    return list(device_classes())


def _device_counts(user_ids) -> dict[int, int]:
    counts: dict[int, int] = {}
    if not user_ids:
        return counts
    for model in _device_models():
        for user_id in model.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True):
            counts[user_id] = counts.get(user_id, 0) + 1
    return counts


@require_POST
@permissions.security_admin_required
def lockout_lift(request):
    """Lift a lockout: the failures counted against a login name (or, for an installation's
    security admin, an address) are cleared."""
    if not apps.is_installed("axes"):
        return redirect("members:security-home")
    from axes.models import AccessAttempt

    username = request.POST.get("username", "").strip()
    ip = request.POST.get("ip", "").strip()
    attempts = AccessAttempt.objects.none()
    if username:
        if request.user.council_id is not None:
            get_object_or_404(_accounts(request.user), username=username)
        attempts = AccessAttempt.objects.filter(username=username)
    elif ip and request.user.council_id is None:
        attempts = AccessAttempt.objects.filter(ip_address=ip)
    with transaction.atomic():
        cleared, _by_model = attempts.delete()
        if not cleared:
            messages.error(request, _("There was no such lockout; nothing was changed."))
            return redirect("members:security-home")
        target = User.objects.filter(username=username).first() if username else None
        audit.record(
            audit.Action.LOCKOUT_LIFTED, request=request,
            obj=target or audit.ObjectRef("address", ip, ip),
            detail={"username": username, "ip": ip, "attempts": cleared},
        )
    messages.success(request, _("The lockout has been lifted."))
    return redirect("members:security-home")


@require_POST
@permissions.security_admin_required
def otp_reset(request, pk: int):
    """Remove every second-factor device of a login (a lost phone): they enrol again at the
    next sign-in."""
    account = get_object_or_404(_accounts(request.user), pk=pk)
    with transaction.atomic():
        removed = 0
        for model in _device_models():
            count, _by_model = model.objects.filter(user=account).delete()
            removed += count
        audit.record(audit.Action.OTP_RESET, request=request, obj=account, detail={"devices": removed})
    messages.success(
        request, _("The two-factor devices of %(name)s were removed: they set one up again at the next login.")
        % {"name": account.username},
    )
    return redirect(reverse("members:security-home") + f"?q={account.username}")


@require_POST
@permissions.security_admin_required
def account_active(request, pk: int):
    """Disable a login, or enable it again (the change is audited as an account change)."""
    account = get_object_or_404(_accounts(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    if account.is_active != active:
        account.is_active = active
        account.save(update_fields=["is_active"])
    if active:
        messages.success(request, _("%(name)s may log in again.") % {"name": account.username})
    else:
        messages.success(request, _("%(name)s can no longer log in.") % {"name": account.username})
    return redirect(reverse("members:security-home") + f"?q={account.username}")
