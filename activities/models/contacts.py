"""The upload function migrations 0001 and 0010 name the contact photos' files by. Photos are
now stored by ``activities.common.photos.photo_path`` (migration 0011), under the same names."""


def contact_photo_path(instance, filename: str) -> str:
    return f"contact-logs/{instance.contact_log_id}/{filename}"
