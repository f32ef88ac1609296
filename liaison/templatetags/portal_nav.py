"""The page frame's parts that are the same for everyone with the same roles and language.

``{% main_nav %}``: the navbar's links for the user's roles. ``{% frame_part "name" k=v … %}``:
a fragment of the frame (the head's stylesheets, the scripts, the offline-queue panel, the
account menu) rendered from the given values alone.

Each depends only on what it is given, the language and the URL prefix, so each combination is
rendered once per process and reused: the frame is on every page, and rendering it (some
thirty translations, ten ``{% url %}`` and nine ``{% static %}``) cost a member's page as much
as loading the session and the user. With DEBUG on they are rendered every time, so that
template edits show at once.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context
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


@register.simple_tag
def frame_part(template_name: str, **values) -> str:
    """``template_name`` rendered with ``values`` and nothing else: no request, no user, no
    CSRF token. What differs per request stays in the frame itself."""
    if settings.DEBUG:
        return _part(template_name, tuple(sorted(values.items())))
    return _part_rendered(template_name, tuple(sorted(values.items())), get_language(),
                          get_script_prefix())


def _part(template_name: str, values: tuple) -> str:
    # The engine's Template, so that nothing of the page's context reaches it.
    html = get_template(template_name).template.render(Context(dict(values), autoescape=True))
    return mark_safe(html.strip())  # our own template's output, already escaped


@lru_cache(maxsize=256)
def _part_rendered(template_name: str, values: tuple, language: str, prefix: str) -> str:
    # language and prefix are part of the key; rendering uses the active ones.
    return _part(template_name, values)


@receiver(setting_changed)
def _forget_rendered(**kwargs) -> None:
    """A changed setting (the static files' storage, the URLs, the languages: tests) may
    change what the parts render; production never changes them within a process."""
    _rendered.cache_clear()
    _part_rendered.cache_clear()
