"""Views of the activities app, one module per topic (contacts, events, reminders)."""
