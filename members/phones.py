"""Phone numbers as people type them, and as the portal stores them.

Members type on phones with Chinese input methods and staff paste from spreadsheets, so a
number arrives as ``１３８ 1234-5678``, ``(0464)1234567`` or ``+86 138 1234 5678``. The
portal stores digits only — ``13812345678``, ``04641234567`` — so that the
one-phone-per-roster constraint and searches see the same person as the same number.
Used by the constituent forms and services and by the Excel import.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Separators people put between digit groups (after NFKC has folded full-width forms).
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―()\[\]./]+")
_COUNTRY_PREFIX = re.compile(r"^(?:\+86|0086)")
# 11-digit mainland mobile numbers: 13x … 19x.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# A landline with its area code: 010 and 02x (big cities, 8-digit local numbers), or a
# four-digit code 03xx–09xx with a 7–8 digit local number.
_LANDLINE = re.compile(r"^(?:0(?:10|2\d)\d{8}|0[3-9]\d{2}\d{7,8})$")


def normalize_phone(raw: str | None) -> str:
    """Digits only: a mobile (``13812345678``) or a landline with area code (``04641234567``).

    Full-width digits become ASCII; spaces, dashes, dots and brackets go; a ``+86`` /
    ``0086`` prefix is dropped. Blank input gives ``""`` (a phone is optional; callers that
    need one say so). Anything else raises ``ValidationError`` (code ``invalid_phone``).
    """
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        return ""
    digits = _SEPARATORS.sub("", text)
    digits = _COUNTRY_PREFIX.sub("", digits)
    if digits.startswith("86") and len(digits) == 13 and _MOBILE.match(digits[2:]):
        digits = digits[2:]
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    raise ValidationError(
        _(
            "“%(value)s” is not a phone number: enter an 11-digit mobile number, or a "
            "landline with its area code such as 0464-1234567."
        ),
        code="invalid_phone",
        params={"value": raw},
    )
