"""The audit entries no single service can write: logins, logouts and lockouts (Django's auth
signals and django-axes'), changes to a login's role, council, permissions or active flag
wherever they are made (the admin, a service, an import, the shell), and every write through
the admin site (Django's own ``LogEntry``).

Connected in ``MembersConfig.ready()``. A receiver that is not handed the request finds it
where simple-history's middleware keeps it for the thread (for the source address and the
acting user); outside a request (a task, the shell) the entry has no address.
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save

from members.audit import Action, ObjectRef, current_request, record

# A login's fields whose change is an account change (三权分立: who may do what).
WATCHED = ("role", "council_id", "committee_id", "is_active", "is_staff", "is_superuser")
_ADMIN_FLAGS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


def _actor(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def on_login(sender, request, user, **kwargs):
    record(Action.LOGIN, request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", "") or "")
    record(Action.LOGIN_FAILED, request=request, result="failed", username=username)


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(Action.LOGOUT, request=request, user=user)


def on_locked_out(sender, request, username, ip_address, **kwargs):
    user = get_user_model().objects.filter(username=username).first() if username else None
    record(
        Action.LOCKOUT,
        request=request,
        user=user,
        result="refused",
        username=username or "",
        detail={"username": username or "", "ip": ip_address or ""},
    )


def on_user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    if update_fields is not None and not {f.replace("_id", "") for f in update_fields} & {
        f.replace("_id", "") for f in WATCHED
    }:
        instance._audit_before = None
        return
    instance._audit_before = sender.objects.filter(pk=instance.pk).values(*WATCHED).first()


def on_user_post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    request = current_request()
    if created:
        changes = {field: [None, getattr(instance, field)] for field in WATCHED}
        changes = {k: v for k, v in changes.items() if v[1] not in (None, False, "")}
        detail = {"created": True, "changes": changes}
    else:
        before = getattr(instance, "_audit_before", None)
        if not before:
            return
        changes = {
            field: [before[field], getattr(instance, field)]
            for field in WATCHED
            if before[field] != getattr(instance, field)
        }
        if not changes:
            return
        detail = {"changes": changes}
    instance._audit_before = None
    record(Action.ACCOUNT_CHANGED, request=request, user=_actor(request), obj=instance, detail=detail)


def on_user_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    relation = "groups" if model._meta.model_name == "group" else "permissions"
    request = current_request()
    record(
        Action.ACCOUNT_CHANGED,
        request=request,
        user=_actor(request),
        obj=instance,
        detail={"changes": {relation: {"action": action.removeprefix("post_"), "ids": sorted(pk_set or [])}}},
    )


def admin_write_record(entry: LogEntry, request=None) -> None:
    """One admin-site write, from Django's own admin log entry."""
    model = f"{entry.content_type.app_label}.{entry.content_type.model}" if entry.content_type_id else ""
    record(
        Action.ADMIN_WRITE,
        request=request if request is not None else current_request(),
        user=entry.user,
        obj=ObjectRef(model, entry.object_id or "", entry.object_repr),
        detail={
            "action": _ADMIN_FLAGS.get(entry.action_flag, str(entry.action_flag)),
            "change": entry.get_change_message(),
        },
    )


def on_admin_log_entry(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        admin_write_record(instance)


def audited_delete_selected(modeladmin, request, queryset):
    """The admin's "delete selected": Django logs a deletion of several objects with one
    ``bulk_create`` of log entries, which sends no ``post_save``; their entries are written
    here (one object's deletion is saved alone, and ``on_admin_log_entry`` has it)."""
    before = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = delete_selected(modeladmin, request, queryset)
    if response is None:
        logged = list(
            LogEntry.objects.filter(pk__gt=before, user_id=request.user.pk, action_flag=DELETION)
            .select_related("content_type", "user")
            .order_by("pk")
        )
        if len(logged) > 1:
            for entry in logged:
                admin_write_record(entry, request)
    return response


functools.update_wrapper(audited_delete_selected, delete_selected, assigned=("__name__",))


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="audit_login")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit_login_failed")
    user_logged_out.connect(on_logout, dispatch_uid="audit_logout")
    User = get_user_model()
    pre_save.connect(on_user_pre_save, sender=User, dispatch_uid="audit_user_pre_save")
    post_save.connect(on_user_post_save, sender=User, dispatch_uid="audit_user_post_save")
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(on_user_m2m_changed, sender=through, dispatch_uid=f"audit_{through.__name__}")
    post_save.connect(on_admin_log_entry, sender=LogEntry, dispatch_uid="audit_admin_log_entry")
    admin.site.add_action(audited_delete_selected, "delete_selected")
    if not apps.is_installed("axes"):  # the login-failure handling is not in use
        return
    from axes.signals import user_locked_out

    user_locked_out.connect(on_locked_out, dispatch_uid="audit_locked_out")
