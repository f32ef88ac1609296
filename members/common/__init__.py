"""Helpers shared by every app, below them all (``members`` is the bottom layer): how a view
shows a service's refusal (``forms``), how a queryset limits rows to the councils a user
reaches (``querysets``), and the time services date their rows by (``clock``)."""
