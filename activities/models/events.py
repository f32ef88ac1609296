"""The upload functions migrations 0002 and 0010 name the activity and consultation photos'
files by. Photos are now stored by ``activities.common.photos.photo_path`` (migration 0011),
under the same names."""


def activity_photo_path(instance, filename: str) -> str:
    return f"activities/{instance.activity_id}/{filename}"


def consultation_photo_path(instance, filename: str) -> str:
    return f"consultations/{instance.consultation_id}/{filename}"
