"""Model fields for constituents' phone numbers, sealed at rest (``members.phone_crypto``).

``SealedPhoneField`` is the number in Python (forms, pages, exports, ``values()`` read the
digits as before) and SM4 ciphertext in the column. It cannot be compared in SQL (every
value has its own nonce): a lookup on it other than blank / ``isnull`` raises, so no query
silently matches nothing — look a number up by its hash (``PhoneDigestField``), which
``pre_save`` computes from the number on every ``save()`` and ``bulk_create()``.
``QuerySet.update()`` and ``bulk_update()`` skip ``pre_save``: change phones through the
services.
"""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from members import phone_crypto


class SealedPhoneField(models.CharField):
    """A phone number stored sealed (SM4-GCM); blank stays blank."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", phone_crypto.SEALED_MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return value if value is None else phone_crypto.unseal(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return phone_crypto.seal(value) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return BlankOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def formfield(self, **kwargs):
        # What a person may type (spaces, dashes, +86), not the sealed value's length.
        return super().formfield(**{"max_length": 30, **kwargs})


class BlankOnlyExact(Exact):
    """``phone=""`` (no number) is the one comparison a sealed column can answer."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise FieldError(
                "A sealed phone number cannot be compared in SQL: filter on its hash "
                "(Constituent.objects.with_phone(number))."
            )
        return self.rhs


class PhoneDigestField(models.CharField):
    """The keyed SM3 hash of the ``source`` field's number (``part="whole"``) or of its last
    four digits (``part="tail"``), set from the number on every save."""

    def __init__(self, *args, source: str = "phone", part: str = "whole", **kwargs):
        self.source, self.part = source, part
        kwargs.setdefault(
            "max_length",
            phone_crypto.HASH_CHARS if part == "whole" else phone_crypto.TAIL_CHARS,
        )
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["part"] = self.source, self.part
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        phone = getattr(model_instance, self.source) or ""
        value = (
            phone_crypto.digest(phone) if self.part == "whole"
            else phone_crypto.tail_digest(phone)
        )
        setattr(model_instance, self.attname, value)
        return value
