"""A platform's poster: its public address and the QR code for it, drawn by the portal
(segno, as the authenticator enrolment's; no outside service)."""

from __future__ import annotations

import segno
from django.conf import settings

from liaison.intake.models import IntakeLink


def public_url(link: IntakeLink) -> str:
    """The absolute address printed on the poster: ``PORTAL_BASE_URL`` (the name the public
    reaches the portal by) and the link's path."""
    return settings.PORTAL_BASE_URL.rstrip("/") + link.get_absolute_url()


def qr_svg(url: str) -> str:
    """The QR code as inline SVG, error correction "Q" (a quarter of it may be soiled or
    torn on a wall and it still reads), black on white, scalable to any print size."""
    return segno.make(url, error="q").svg_inline(
        scale=10, dark="#000", light="#fff", omitsize=True, title=url
    )
