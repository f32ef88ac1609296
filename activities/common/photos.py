"""Photos of contact logs, activities and consultations: one abstract model, and uploads
that are images only (checked by decoding the content, not by the file name), within a size
limit, with a small JPEG thumbnail made on upload."""

from __future__ import annotations

import warnings
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
THUMBNAIL_SIZE = (320, 320)
# Phone cameras save photos of 12 to 50 megapixels; decoded, 60 MP is some 180 MB of RGB.
# A tiny PNG can claim 20000×20000 pixels (a "decompression bomb"): refused before decoding.
MAX_PHOTO_PIXELS = 60_000_000


def photo_path(instance: Photo, filename: str) -> str:
    """``<folder>/<owner id>/<file>``, e.g. ``contact-logs/12/visit.jpg``."""
    owner_id = getattr(instance, f"{instance.owner_field}_id")
    return f"{instance.upload_folder}/{owner_id}/{filename}"


class Photo(models.Model):
    """A photo and its thumbnail, belonging to one record (``owner_field``, a foreign key
    each concrete model declares with ``related_name="photos"``) and stored under
    ``upload_folder``. The stored names are indexed: ``liaison.views.media`` authorises a
    file by finding the row that names it."""

    image = models.ImageField(gettext_lazy("photo"), upload_to=photo_path, db_index=True)
    thumbnail = models.ImageField(
        gettext_lazy("thumbnail"), upload_to=photo_path, blank=True, db_index=True
    )
    uploaded_at = models.DateTimeField(gettext_lazy("uploaded"), auto_now_add=True)

    owner_field: str
    upload_folder: str

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


def validate_photo(upload) -> None:
    """Refuse anything that is not a JPEG/PNG/GIF/WebP image within the size limits: bytes
    and pixels (a "decompression bomb" is small on the wire and huge once decoded). Only the
    header is read to learn the pixel size; nothing is decoded."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is too large: at most %(limit)d MB per photo.")
            % {"name": upload.name, "limit": settings.PHOTO_MAX_BYTES // (1024 * 1024)}
        )
    too_many_pixels = ValidationError(
        _("%(name)s has too many pixels: at most %(limit)d megapixels per photo.")
        % {"name": upload.name, "limit": MAX_PHOTO_PIXELS // 1_000_000}
    )
    try:
        upload.seek(0)
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: refuse those too.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = image.format
                width, height = image.size
                if width * height > MAX_PHOTO_PIXELS:
                    raise too_many_pixels
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many_pixels from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("%(name)s is not an image (JPEG, PNG, GIF or WebP).") % {"name": upload.name}
        ) from error
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("%(name)s is not an image (JPEG, PNG, GIF or WebP).") % {"name": upload.name}
        )


def make_thumbnail(upload, name: str) -> ContentFile:
    """A JPEG no larger than THUMBNAIL_SIZE, turned upright by its EXIF orientation."""
    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL_SIZE)
        out = BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=80)
    upload.seek(0)
    return ContentFile(out.getvalue(), name=f"thumb-{name.rsplit('.', 1)[0]}.jpg")


def photos_save(model: type[Photo], uploads, **owner) -> None:
    """Save each upload (already checked by ``validate_photo``) as a ``model`` row with its
    thumbnail; ``owner`` names the record they belong to, e.g. ``activity=activity``."""
    for upload in uploads:
        model.objects.create(image=upload, thumbnail=make_thumbnail(upload, upload.name), **owner)
