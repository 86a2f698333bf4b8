"""``field__lower_exact=value``: ``LOWER(field) = LOWER(value)``.

Django's ``iexact`` compiles to ``UPPER(field) = UPPER(value)`` on PostgreSQL (and ``LIKE … ESCAPE``
on SQLite), which cannot use the ``LOWER(field)`` unique indexes that enforce case-insensitive
uniqueness; this lookup matches those indexes exactly, so a lookup by username or email is an index
probe instead of a table scan.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Lookup


@CharField.register_lookup
class LowerExact(Lookup):
    lookup_name = "lower_exact"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"LOWER({lhs}) = LOWER({rhs})", [*lhs_params, *rhs_params]
