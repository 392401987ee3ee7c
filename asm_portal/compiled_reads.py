"""Reads compiled to SQL once per database connection, for the reads every signed-in page makes.

Django compiles a queryset to SQL each time it is evaluated. For the small
reads of a portal page (the signed-in person, one claim with its order and
product, a claim's events) that compiling costs several times the database's
answer: one claim with its order and product took 0.90 ms of CPU through the
ORM and takes 0.16 ms compiled once, the signed-in person 0.30 and 0.09 ms
(docs/benchmarks.md).

A ``CompiledRead`` builds its queryset once per connection, with a stand-in
value for each parameter, keeps the SQL, and from then on runs that SQL with
the real values, making the model instances as the queryset would: the same
columns, the same converters, the same ``select_related`` objects and
annotations. It is the same query every time, not a remembered answer: every
call asks the database. What it cannot replay it refuses when it is first
used (prefetches, ``values()``, a parameter the SQL does not carry as given).

It leans on the compiler's own parts, as Django's ``ModelIterable`` does
(``klass_info``, ``get_related_populators``, ``apply_converters``): on Django
5.2, pinned; ``tests/test_compiled_reads.py`` compares every kind of read with
the ORM's own, so a change there fails the tests rather than a page.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)

_stand_in_numbers = itertools.count(1)


def _stand_in(kind: type) -> object:
    """A value of ``kind`` that no real parameter and no other stand-in has."""
    number = next(_stand_in_numbers)
    if kind is int:
        return -(10**15) - number
    if kind is str:
        return f"compiled-read-stand-in-{number}"
    raise TypeError(f"a compiled read takes int or str parameters, not {kind.__name__}")


@dataclass(frozen=True)
class _Compiled(Generic[M]):
    model: type[M]
    sql: str
    params: tuple[Any, ...]
    # Parameter name → where its value goes in ``params``.
    slots: dict[str, list[int]]
    compiler: SQLCompiler
    converters: dict[int, Any]
    columns: int | None  # how many columns to keep, when the SQL selects more (ordering) than it returns
    init_fields: list[str]
    model_columns: slice | None  # None: a values_list() read, whose rows are the tuples
    populators: list[Any]
    annotations: dict[str, int]


class CompiledRead(Generic[M]):
    """``build(**parameters)`` is the queryset; ``parameters`` name each parameter's type (int or str).

    ``read.all(name=value, …)`` runs it; ``read.get(…)`` expects one row, and
    raises the model's ``DoesNotExist`` or ``MultipleObjectsReturned`` as
    ``QuerySet.get`` would. A ``values_list()`` queryset gives tuples.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], **parameters: type) -> None:
        self._build = build
        self._parameters = parameters
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Compiled[M]] = (
            weakref.WeakKeyDictionary()
        )

    def all(self, **values: Any) -> list[M]:
        """The model instances, for a queryset of instances."""
        return self._instances(*self._run(values))

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The tuples, for a ``values_list()`` queryset."""
        compiled, rows = self._run(values)
        if compiled.model_columns is not None:
            raise TypeError("a read of instances gives all(), not rows")
        return [tuple(row) for row in rows]

    def get(self, **values: Any) -> M:
        compiled, rows = self._run(values)
        found = self._instances(compiled, rows)
        if len(found) == 1:
            return found[0]
        model = compiled.model
        if not found:
            raise model.DoesNotExist(  # type: ignore[attr-defined]
                f"{model._meta.object_name} matching query does not exist."
            )
        raise model.MultipleObjectsReturned(  # type: ignore[attr-defined]
            f"get() returned more than one {model._meta.object_name}"
        )

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled[M]:
        stand_ins = {name: _stand_in(kind) for name, kind in self._parameters.items()}
        queryset = self._build(**stand_ins)
        if (
            queryset._iterable_class not in (ModelIterable, ValuesListIterable)
            or queryset._prefetch_related_lookups  # type: ignore[attr-defined]
            or queryset._known_related_objects  # type: ignore[attr-defined]
        ):
            raise TypeError(
                "a compiled read makes model instances or tuples (values_list), with no prefetches "
                "or known relations"
            )
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = {
            name: [
                index for index, param in enumerate(params) if param == value and type(param) is type(value)
            ]
            for name, value in stand_ins.items()
        }
        missing = [name for name, positions in slots.items() if not positions]
        if missing:
            raise TypeError(f"the SQL does not carry {missing} as given (a lookup changed the value)")
        klass_info, select = compiler.klass_info, compiler.select
        instances = queryset._iterable_class is ModelIterable  # else values_list(): tuples
        first, last = (
            (klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1) if instances else (0, 0)
        )
        return _Compiled(
            model=queryset.model,
            sql=sql,
            params=tuple(params),
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters([column[0] for column in select[: compiler.col_count]]),
            columns=compiler.col_count if compiler.has_extra_select else None,
            init_fields=[column[0].target.attname for column in select[first:last]],
            model_columns=slice(first, last) if instances else None,
            populators=get_related_populators(klass_info, select, connection.alias) if instances else [],
            annotations=dict(compiler.annotation_col_map or {}),
        )

    def _instances(self, compiled: _Compiled[M], rows: Sequence[Any]) -> list[M]:
        if compiled.model_columns is None:
            raise TypeError("a values_list() read gives rows(), not instances")
        alias = compiled.compiler.connection.alias
        instances = []
        for row in rows:
            instance = compiled.model.from_db(alias, compiled.init_fields, row[compiled.model_columns])
            for populator in compiled.populators:
                populator.populate(row, instance)
            for name, column in compiled.annotations.items():
                setattr(instance, name, row[column])
            instances.append(instance)
        return instances

    def _run(self, values: dict[str, Any]) -> tuple[_Compiled[M], Sequence[Any]]:
        if values.keys() != self._parameters.keys():
            raise TypeError(f"expected {sorted(self._parameters)}, got {sorted(values)}")
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        params = list(compiled.params)
        for name, positions in compiled.slots.items():
            for position in positions:
                params[position] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Sequence[Any] = cursor.fetchall()
        if compiled.columns is not None:
            rows = [row[: compiled.columns] for row in rows]
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return compiled, rows
