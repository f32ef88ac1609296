"""Photo uploads: images only (checked by decoding the content, not by the file name),
a size limit, and a small JPEG thumbnail made on upload."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
THUMBNAIL_SIZE = (320, 320)


def validate_photo(upload) -> None:
    """Refuse anything that is not a JPEG/PNG/GIF/WebP image within the size limit."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is too large: at most %(limit)d MB per photo.")
            % {"name": upload.name, "limit": settings.PHOTO_MAX_BYTES // (1024 * 1024)}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
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
