"""Contact logs ("a member logs a contact"): a member's contacts with the constituents on
their roster, the staff's list and export of them, and the daily counts the dashboards read.

A newcomer follows one request through this package: ``urls`` (``activities/urls.py``,
``contacts/…``) → ``views.contactlog_create`` → ``forms.ContactLogForm`` →
``services.contact_log_create`` → ``models.ContactLog`` (+ ``rollups.contact_day_add``) →
``activities.reminders.services.closing.reminders_close_for_contact``, which closes the
must-visits the contact satisfies in the same transaction.
"""
