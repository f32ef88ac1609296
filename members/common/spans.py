"""Reading a page's related rows from tables partitioned by time.

On PostgreSQL the contact logs and their constituent links are partitioned by month
(docs/PARTITIONING.md); each link carries its log's time. Django's ``prefetch_related``
reads the links of a page of logs by log id alone, which probes the id index of every
month's partition for every log (about 400 buffers for a member's five latest logs, 3,900
for a staff page of 50 at province scale). ``read_in_span`` reads them in one query bounded
by the page's own time span as well, so only the months the page is in are probed.
"""

from __future__ import annotations


def read_in_span(objects, relation: str, span: str, attr: str, columns: tuple[str, ...] = ()) -> None:
    """Put on each of ``objects`` (one model's rows, e.g. a page) its rows of the many-to-many
    ``relation`` as the list ``attr``, read through the relation's own table bounded by the
    range of ``span`` over ``objects`` (the through table carries that column, equal to its
    object's). ``columns``: the only columns of the related rows to read (besides the key);
    the related rows come in their model's default order."""
    objects = list(objects)
    if not objects:
        return
    field = type(objects[0])._meta.get_field(relation)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    values = [getattr(obj, span) for obj in objects]
    links = (
        through.objects
        .filter(**{f"{source}__in": [obj.pk for obj in objects],
                   f"{span}__range": (min(values), max(values))})
        .select_related(target)
        .order_by(*(f"{target}__{name}" for name in field.related_model._meta.ordering))
    )
    if columns:
        links = links.only(f"{source}_id", f"{target}__{field.related_model._meta.pk.name}",
                           *(f"{target}__{name}" for name in columns))
    found: dict = {obj.pk: [] for obj in objects}
    for link in links:
        found[getattr(link, f"{source}_id")].append(getattr(link, target))
    for obj in objects:
        setattr(obj, attr, found[obj.pk])
