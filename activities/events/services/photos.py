"""Photos of activities and consultations: the limit, checked before anything is written, and
an edit's photos removed and added."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from activities.common.photos import Photo, photos_save, validate_photo
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


def photos_change(owner, model: type[Photo], *, add: Sequence, remove_ids: Iterable[int]) -> None:
    """Inside the edit's transaction, the owner locked: remove the photos of ``owner`` that
    ``remove_ids`` names (another record's are ignored), check ``add`` against the limit of
    what is left, and save them."""
    removed = owner.photos.filter(pk__in=list(remove_ids))
    check_photos(existing=owner.photos.count() - removed.count(), photos=add)
    for photo in removed:
        photo.delete()
    photos_save(model, add, **{model.owner_field: owner})
