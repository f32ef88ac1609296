"""Django's PostgreSQL backend, told how many parameters one statement may bind.

With parameters bound by the server (settings ``DATABASE_PREPARE_THRESHOLD``), PostgreSQL
takes at most 65,535 in one statement, where psycopg's own binding (writing the values into
the text) had no such limit. Django 5.2 knows the limit for Oracle and SQLite only. Its
``bulk_create`` sends PostgreSQL one array a column and is not concerned, but ``bulk_update``
writes three parameters a row and a deletion looks up the rows that refer to the deleted
ones with one parameter each: past the limit, "number of parameters must be between 0 and
65535". Here they split their rows into statements under the limit, as on those backends.
"""

from django.db.backends.postgresql import base, features, operations
from django.utils.functional import cached_property

MAX_QUERY_PARAMS = 65535


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self):
        return MAX_QUERY_PARAMS if self.uses_server_side_binding else None


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields, objs):
        limit = self.connection.features.max_query_params
        if limit and fields:
            return max(limit // len(fields), 1)
        return super().bulk_batch_size(fields, objs)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
