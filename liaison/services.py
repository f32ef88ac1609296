"""Writes of the liaison app: the duty-points scheme."""

from __future__ import annotations

from django.db import transaction

from liaison.models import DutyScheme


def duty_scheme_save(*, scheme: DutyScheme, data: dict, by) -> DutyScheme:
    """Store the council's points per item and caps (creating the scheme on first save)."""
    with transaction.atomic():
        for name, value in data.items():
            setattr(scheme, name, value)
        scheme.updated_by = by
        scheme.full_clean()
        scheme.save()
    return scheme
