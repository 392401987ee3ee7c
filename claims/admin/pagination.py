"""Pagination of long admin lists without counting every row on each page load."""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


def estimated_row_count(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows in the queryset's table (kept by ANALYZE and autovacuum).

    None on other databases, or when the table was never analysed.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    """Counts a filtered or searched list exactly; an unfiltered long list, from table statistics.

    ``COUNT(*)`` over every claim costs more than the rest of the page. With no
    filter, the count is PostgreSQL's estimate, off by at most a few rows from
    recent changes, and shown as approximate; below ``exact_below`` rows, or
    whenever a filter or search narrows the list, the count is exact.
    """

    exact_below = 20_000

    @cached_property
    def is_estimated(self) -> bool:
        return self.estimate is not None

    @cached_property
    def estimate(self) -> int | None:
        object_list = self.object_list
        if not isinstance(object_list, QuerySet) or object_list.query.where or object_list.query.distinct:
            return None
        estimate = estimated_row_count(object_list)
        return estimate if estimate is not None and estimate >= self.exact_below else None

    @cached_property
    def count(self) -> int:
        return self.estimate if self.estimate is not None else super().count
