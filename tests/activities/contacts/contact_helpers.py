"""Helpers for the contact-log form tests."""


def offered_pks(field) -> set[int]:
    """The ids a choice field of the log form offers, as its page lists them: read in SQL for
    the blank form, from its scoped queryset otherwise."""
    return {int(str(value)) for value, _label in field.choices if str(value)}
