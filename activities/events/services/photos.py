"""The photo limit of activities and consultations, checked before anything is written."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from activities.common.photos import validate_photo
from activities.events.models.activities import MAX_PHOTOS


def check_photos(*, existing: int, photos: Sequence) -> None:
    """Every upload an image within the limit, and no more than MAX_PHOTOS in all."""
    if existing + len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("At most %(limit)d photos: there are %(existing)d already and %(new)d were added.")
            % {"limit": MAX_PHOTOS, "existing": existing, "new": len(photos)}
        )
    for upload in photos:
        validate_photo(upload)
