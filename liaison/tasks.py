"""Jobs of the liaison app (Celery discovers this module)."""

from celery import shared_task


@shared_task(name="liaison.tasks.intake_purge_task", acks_late=True)
def intake_purge_task() -> int:
    """Nightly: the personal data of QR messages past their retention (idempotent)."""
    from liaison.intake.services import submissions_purge

    return submissions_purge()


@shared_task(name="liaison.tasks.intake_outcomes_task", acks_late=True)
def intake_outcomes_task() -> int:
    """Nightly: the proposals the QR messages' contact logs became, copied onto the messages
    for the dashboard (idempotent)."""
    from liaison.intake.services import submission_outcomes_refresh

    return submission_outcomes_refresh()
