"""The module Celery's autodiscovery imports for this app. The tasks live with their part
(``activities.contacts.tasks``, ``activities.partitions.tasks``,
``activities.reminders.tasks``) and keep the names they were
registered under here, ``activities.tasks.<name>``, which the schedule and queued messages use."""

from activities.contacts import tasks as contacts_tasks
from activities.partitions import tasks as partitions_tasks
from activities.reminders import tasks as reminders_tasks

__all__ = ["contacts_tasks", "partitions_tasks", "reminders_tasks"]
