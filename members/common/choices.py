"""Model choices read with one plain query.

Django's ``ModelChoiceIterator`` streams a select's choices with ``QuerySet.iterator()``,
which on PostgreSQL outside a transaction opens a server-side ``WITH HOLD`` cursor: DECLARE,
FETCH and CLOSE (three round trips, the result materialised on the server) for the few rows
of one select. The member's log-contact form has four such selects. ``listed(field)`` reads
them with one ordinary query instead; the choices of a select are few by design (an
unbounded list is a search-as-you-type picker, ``members.common.widgets.LookupSelect``)."""

from __future__ import annotations

from django.forms.models import ModelChoiceIterator


class ListedChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        null_label = getattr(self.field, "null_label", None)  # django-filter's "none" choice
        if null_label is not None:
            yield (self.field.null_value, null_label)
        columns = getattr(self.field, "listed_columns", ())
        # One query, then the queryset's own cache; with ``columns``, only those (a choice
        # shows a label, not the row's long texts).
        for obj in self.queryset.only(*columns) if columns else self.queryset:
            yield self.choice(obj)


def listed_choices(choices):
    """A widget's ``choices``, read by one plain query if they come from a model field."""
    if isinstance(choices, ModelChoiceIterator) and not isinstance(choices, ListedChoiceIterator):
        return ListedChoiceIterator(choices.field)
    return choices


def listed(field, columns: tuple[str, ...] = ()):
    """``field`` (a ``ModelChoiceField`` or ``ModelMultipleChoiceField``) with its choices read
    by one plain query; ``columns``: the only ones its labels need."""
    field.iterator = ListedChoiceIterator
    field.listed_columns = columns
    field.widget.choices = field.choices  # the widget took its iterator with the queryset
    return field


def label_of(choices, value) -> str:
    """What ``get_FOO_display()`` gives for ``value`` of a field whose choices are the enum
    ``choices`` (a ``TextChoices``): its label, or the value itself when it is none of them.

    Django's builds a dict of every choice per call, hashing — hence translating — each
    label: ten translations to label one proposal's state, a fifth of the register's
    rendering for its 50 rows. This looks the one member up."""
    member = choices._value2member_map_.get(value)
    return value if member is None else str(member.label)
