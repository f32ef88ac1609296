"""What members do. One module per topic; everything is importable from ``activities.models``."""

from activities.models.contacts import (  # noqa: F401
    Channel,
    ContactLog,
    ContactLogConstituent,
    ContactLogPhoto,
)
