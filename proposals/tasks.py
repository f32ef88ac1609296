"""Jobs of the proposal pipeline. Thin: they call a service and are safe to run twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from proposals import services


@shared_task(acks_late=True)
def proposals_chase_deadlines(today: str | None = None) -> tuple[int, int]:
    """Daily: units hear of proposals due soon, staff of overdue ones (one notice per
    proposal per day, however often it runs). ``today`` (ISO date) is for catching up."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return services.deadlines_chase(today=day)
