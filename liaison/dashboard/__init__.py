"""Reads of the dashboards, duty records, duty points and reports (selectors).

Every figure is an SQL aggregate over the querysets of the apps it reads, scoped by
``Scope`` (the user's reach, optionally narrowed to one council of it) and ``Params``
(period, session, sector, committee). Views and the report only format what these return.
"""
