"""Hand-written single-row reads for the per-request hot path (the session row, the signed-in account,
the live one-time code of a code check).

Building and compiling an ORM query costs several times the round trip itself for a one-row primary-key
read. ``row_by_pk`` runs the same SELECT the ORM would (every concrete column, in field order), passes
each value through the converters the ORM applies (the backend's and the field's own ``from_db_value``)
and builds the instance with ``Model.from_db`` — so the result is indistinguishable from ``.get(pk=…)``.
The SQL text and the converters are computed once per model and database alias. ``first_where`` does
the same for ``.filter(…).order_by(…)[.select_for_update()].first()`` with equality, ``>`` and
``IS NULL`` conditions; ``values_where`` for ``.values_list(…)``: the named columns as plain tuples.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connections, models

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, Any], Any]


@lru_cache(maxsize=32)
def _plan(model: type[models.Model], alias: str) -> tuple[str, list[tuple[list[Converter], Any]]]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = model._meta
    table = meta.db_table
    fields = meta.concrete_fields
    columns = ", ".join(f"{quote(table)}.{quote(str(field.column))}" for field in fields)
    sql = f"SELECT {columns} FROM {quote(table)} WHERE {quote(table)}.{quote(str(meta.pk.column))} = %s"  # noqa: S608
    converters: list[tuple[list[Converter], Any]] = []
    for field in fields:
        column = field.get_col(table)
        converters.append((connection.ops.get_db_converters(column) + field.get_db_converters(connection), column))
    return sql, converters


def row_by_pk(model: type[M], pk: Any, *, alias: str = "default") -> M | None:
    """``model.objects.using(alias).get(pk=pk)`` in one hand-written SELECT; None when there is no row."""
    sql, converters = _plan(model, alias)
    connection = connections[alias]
    pk_field = model._meta.pk
    try:
        value = pk_field.get_db_prep_value(pk_field.to_python(pk), connection)
    except (ValidationError, TypeError, ValueError):
        return None
    if isinstance(value, int) and not _in_range(value, pk_field, connection):
        return None  # what the ORM answers for an out-of-range integer; the database would raise
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    return model.from_db(alias, None, _converted(row, converters, connection))  # type: ignore[arg-type]


def _converted(row: Sequence[Any], converters: list[tuple[list[Converter], Any]], connection: Any) -> list[Any]:
    values = list(row)
    for index, (functions, expression) in enumerate(converters):
        if functions:
            value = values[index]
            for function in functions:
                value = function(value, expression, connection)
            values[index] = value
    return values


def _in_range(value: int, field: Any, connection: Any) -> bool:
    try:
        low, high = connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:  # not an integer field
        return True
    return (low is None or value >= low) and (high is None or value <= high)


# (field name, operator, value): operator "=", ">", "lower =" (``lower_exact``: LOWER(column) =
# LOWER(value), the case-insensitive unique indexes' form) or "in" (a sequence) with a value, or "is null".
Condition = tuple[str, str, Any]
_OPERATORS = {"=": "{column} = %s", ">": "{column} > %s", "lower =": "LOWER({column}) = LOWER(%s)"}


def first_where(
    model: type[M],
    conditions: Sequence[Condition],
    *,
    order_by: Sequence[str],
    for_update: bool = False,
    alias: str = "default",
) -> M | None:
    """``model.objects.filter(…).order_by(*order_by)[.select_for_update()].first()`` in one hand-written
    SELECT (see ``rows_where``), ``FOR UPDATE`` where the database has it (as ``select_for_update``
    does: SQLite has none)."""
    rows = rows_where(model, conditions, order_by=order_by, limit=1, for_update=for_update, alias=alias)
    return rows[0] if rows else None


@lru_cache(maxsize=32)
def _related_plan(
    model: type[models.Model], alias: str, related: tuple[str, ...]
) -> tuple[str, str, list[tuple[Any, type[models.Model], int, list[tuple[list[Converter], Any]]]]]:
    """The joined tables' columns, their LEFT OUTER JOINs and, per foreign key, (field, model, width,
    converters) — what ``select_related(*related)`` selects."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns, joins, parts = [], [], []
    for index, name in enumerate(related):
        field = model._meta.get_field(name)
        other = field.related_model  # type: ignore[union-attr]
        assert isinstance(other, type) and issubclass(other, models.Model), name
        joined = f"rawread_r{index}"
        fields = other._meta.concrete_fields
        columns += [f"{quote(joined)}.{quote(str(item.column))}" for item in fields]
        joins.append(
            f"LEFT OUTER JOIN {quote(other._meta.db_table)} {quote(joined)} ON "
            f"{table}.{quote(str(field.column))} = {quote(joined)}.{quote(str(field.target_field.column))}"  # type: ignore[union-attr]
        )
        converters = [
            (connection.ops.get_db_converters(item.get_col(joined)) + item.get_db_converters(connection), item.get_col(joined))
            for item in fields
        ]
        parts.append((field, other, len(fields), converters))
    return ", ".join(columns), " ".join(joins), parts


def _where(
    model: type[models.Model], conditions: Sequence[Condition], connection: Any
) -> tuple[str, list[Any]] | None:
    """The WHERE clause and its parameters, each value prepared by its field as the ORM prepares it;
    None for an empty ``in`` (the ORM runs no query then)."""
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    where, params = [], []
    for name, operator, value in conditions:
        field = meta.get_field(name)
        column = f"{table}.{quote(str(field.column))}"  # type: ignore[union-attr]
        if operator == "is null":
            where.append(f"{column} IS NULL")
            continue
        if operator == "in" and isinstance(value, tuple) and not getattr(field, "is_relation", False):
            prepared = list(_prepared_tuple(field, value, connection.alias))
        else:
            prepared = _prepared(field, list(value) if operator == "in" else [value], connection)
        if operator == "in":
            if not prepared:
                return None
            where.append(f"{column} IN ({', '.join(['%s'] * len(prepared))})")
        else:
            where.append(_OPERATORS[operator].format(column=column))
        params.extend(prepared)
    return " AND ".join(where) or "1 = 1", params


def _prepared(field: Any, values: list[Any], connection: Any) -> list[Any]:
    """Each value as the ORM prepares it for ``field`` (a foreign key: its target field, an instance's pk)."""
    if getattr(field, "is_relation", False):
        target = field.target_field
        return [target.get_db_prep_value(getattr(item, "pk", item), connection) for item in values]
    return [field.get_db_prep_value(item, connection) for item in values]


@lru_cache(maxsize=64)
def _prepared_tuple(field: Any, values: tuple[Any, ...], alias: str) -> tuple[Any, ...]:
    """``_prepared`` of a constant tuple of plain values (e.g. the event names of the security log),
    once per process instead of once per query."""
    return tuple(_prepared(field, list(values), connections[alias]))


def _ordering(model: type[models.Model], order_by: Sequence[str], connection: Any) -> str:
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    return ", ".join(
        f"{table}.{quote(str(meta.get_field(key.lstrip('-')).column))} {'DESC' if key.startswith('-') else 'ASC'}"  # type: ignore[union-attr]
        for key in order_by
    )


def rows_where(
    model: type[M],
    conditions: Sequence[Condition],
    *,
    order_by: Sequence[str],
    limit: int,
    related: Sequence[str] = (),
    for_update: bool = False,
    alias: str = "default",
) -> list[M]:
    """``model.objects.filter(…)[.select_related(*related)].order_by(*order_by)[:limit]`` in one
    hand-written SELECT: the same columns, each condition's value prepared by its field as the ORM
    prepares it, the same converters and instances (a related row through a LEFT OUTER JOIN, cached on
    its foreign key as ``select_related`` caches it; None when the key is NULL). ``order_by`` names
    fields, ``-`` for descending."""
    plan_sql, converters = _plan(model, alias)
    connection = connections[alias]
    clause = _where(model, conditions, connection)
    if clause is None:
        return []  # what the ORM answers for an empty IN (it runs no query)
    where, params = clause
    ordering = _ordering(model, order_by, connection)
    select = plan_sql.split(" WHERE ", 1)[0]
    parts: list[tuple[Any, type[models.Model], int, list[tuple[list[Converter], Any]]]] = []
    if related:
        extra_columns, joins, parts = _related_plan(model, alias, tuple(related))
        head, tail = select.split(" FROM ", 1)
        select = f"{head}, {extra_columns} FROM {tail} {joins}"
    sql = f"{select} WHERE {where} ORDER BY {ordering} LIMIT {int(limit)}"
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    width = len(converters)
    found = []
    for row in rows:
        instance = model.from_db(alias, None, _converted(row[:width], converters, connection))  # type: ignore[arg-type]
        start = width
        for field, other, size, other_converters in parts:
            values = row[start : start + size]
            start += size
            related_instance = None
            if values[other._meta.concrete_fields.index(other._meta.pk)] is not None:
                related_instance = other.from_db(alias, None, _converted(values, other_converters, connection))  # type: ignore[arg-type]
            field.set_cached_value(instance, related_instance)
        found.append(instance)
    return found


@lru_cache(maxsize=32)
def _values_plan(
    model: type[models.Model], alias: str, fields: tuple[str, ...]
) -> tuple[str, list[tuple[list[Converter], Any]], list[tuple[int, Any]]]:
    """``SELECT`` of the named fields' columns, their converters (what ``values_list(*fields)`` selects
    and applies) and the JSON columns decoded a page at a time (``_json_decoded``): (position, field),
    their converters left out of the list."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = model._meta.db_table
    chosen: list[Any] = [model._meta.get_field(name) for name in fields]
    columns = ", ".join(f"{quote(table)}.{quote(str(field.column))}" for field in chosen)
    converters: list[tuple[list[Converter], Any]] = []
    json_columns: list[tuple[int, Any]] = []
    for position, field in enumerate(chosen):
        column = field.get_col(table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if isinstance(field, models.JSONField) and field.decoder is None and functions == [field.from_db_value]:
            json_columns.append((position, field))
            functions = []
        converters.append((functions, column))
    return f"SELECT {columns} FROM {quote(table)}", converters, json_columns  # noqa: S608


def _json_decoded(rows: list[list[Any]], json_columns: list[tuple[int, Any]], connection: Any) -> None:
    """The JSON columns of every row decoded in one ``json.loads`` of ``[text, text, …]``, for a fraction
    of the cost of a call per value (measured: 60 values, ~70 → ~9 µs). The same values as
    ``JSONField.from_db_value`` on each, because each text is one complete JSON value (a CHECK
    ``JSON_VALID`` on SQLite, jsonb on PostgreSQL), so the array holds exactly one element per text.
    Anything else (a NULL, a value that is not text, text that does not decode, a count that does not
    match) goes through ``from_db_value`` value by value."""
    texts = [row[position] for row in rows for position, _ in json_columns]
    decoded: list[Any] | None = None
    if all(type(text) is str for text in texts):
        try:
            decoded = json.loads(f"[{','.join(texts)}]")
        except json.JSONDecodeError:
            decoded = None
    if decoded is None or len(decoded) != len(texts):
        decoded = [
            field.from_db_value(row[position], field.get_col(field.model._meta.db_table), connection)
            for row in rows
            for position, field in json_columns
        ]
    values = iter(decoded)
    for row in rows:
        for position, _ in json_columns:
            row[position] = next(values)


def values_where(
    model: type[models.Model],
    fields: Sequence[str],
    conditions: Sequence[Condition],
    *,
    order_by: Sequence[str],
    limit: int | None = None,
    alias: str = "default",
) -> list[tuple[Any, ...]]:
    """``model.objects.filter(…).order_by(*order_by).values_list(*fields)[:limit]`` in one hand-written
    SELECT: only the named (concrete) fields' columns, each value through the converters the ORM applies
    (JSON a page at a time), one tuple per row and no model instance (for a list answer that needs a few
    plain values per row)."""
    select, converters, json_columns = _values_plan(model, alias, tuple(fields))
    connection = connections[alias]
    clause = _where(model, conditions, connection)
    if clause is None:
        return []  # what the ORM answers for an empty IN (it runs no query)
    where, params = clause
    sql = f"{select} WHERE {where} ORDER BY {_ordering(model, order_by, connection)}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [_converted(row, converters, connection) for row in cursor.fetchall()]
    if json_columns and rows:
        _json_decoded(rows, json_columns, connection)
    return [tuple(row) for row in rows]
