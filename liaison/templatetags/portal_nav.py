"""``{% main_nav %}``: the navbar's links for the user's roles.

The links depend only on the roles, the language and the URL prefix, so each combination is
rendered once per process and reused: the navbar is on every page, and rendering it (a
dozen ``{% url %}`` and translations) cost more than the rest of a member's home page.
With DEBUG on it is rendered every time, so that template edits show at once.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

NAV_TEMPLATE = "includes/_nav_items.html"


@register.simple_tag(takes_context=True)
def main_nav(context) -> str:
    user = context["user"]
    roles = (
        bool(context.get("is_member_user")),
        bool(context.get("is_staff_user")),
        bool(context.get("is_leader_user")),
        bool(context.get("is_unit_user")),
        bool(user.is_superuser),
        bool(context.get("is_security_admin_user")),
        bool(context.get("is_audit_admin_user")),
    )
    if settings.DEBUG:
        return _render(*roles)
    return _rendered(*roles, get_language(), get_script_prefix())


def _render(is_member, is_staff, is_leader, is_unit, is_superuser, is_security_admin,
            is_audit_admin) -> str:
    html = get_template(NAV_TEMPLATE).render(
        {
            "is_member_user": is_member,
            "is_staff_user": is_staff,
            "is_leader_user": is_leader,
            "is_unit_user": is_unit,
            "is_superuser_user": is_superuser,
            "is_security_admin_user": is_security_admin,
            "is_audit_admin_user": is_audit_admin,
        }
    )
    return mark_safe(html)  # our own template's output, already escaped


@lru_cache(maxsize=256)
def _rendered(is_member, is_staff, is_leader, is_unit, is_superuser, is_security_admin,
              is_audit_admin, language, prefix) -> str:
    # language and prefix are part of the key; rendering uses the active ones.
    return _render(is_member, is_staff, is_leader, is_unit, is_superuser, is_security_admin,
                   is_audit_admin)
