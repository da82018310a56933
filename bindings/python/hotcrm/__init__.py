"""hotcrm: the embeddable CRM engine (libhotcrm) for Python.

>>> import hotcrm
>>> db = hotcrm.open(":memory:")
>>> lead_id = db.insert("lead", {"last_name": "Ng", "company": "Acme", "email": "ng@acme.io"})
>>> db.get("lead", lead_id)["status"]
'new'

See docs/python.md for the API summary, the dtype mapping and the error classes.
"""

from __future__ import annotations

import enum
from typing import Any, Dict, Optional

from . import _core, models
from ._core import (
    CancelToken,
    CancelledError,
    ConflictError,
    BusinessCalendar,
    ConstraintError,
    CronSchedule,
    Database,
    Error,
    EvaluationError,
    FormulaError,
    ImportReport,
    NotFoundError,
    ParseError,
    PermissionError,
    QueryResult,
    SchemaError,
    ScoreResult,
    Session,
    StoreError,
    BusyError,
    TimeZone,
    Transaction,
    UsageError,
    ValidationError,
    WorkflowError,
    check,
    check_where,
    default_model_names,
    evaluate,
    exponential_smoothing,
    generate_key,
    open,
    packages,
    sample_data,
    sample_records,
    psi,
    routing_hash,
    sentiment,
    standard_catalog_json,
)

__version__: str = _core.__version__


def aggregate(
    object: str,
    via: str,
    function: str = "count",
    field: Optional[str] = None,
    where: Optional[str] = None,
    date_field: Optional[str] = None,
    within_days: Optional[int] = None,
    hidden: bool = False,
) -> Dict[str, Any]:
    """A feature aggregating related records, for ``db.features`` and the registry.

    ``function`` (count, sum, min, max or avg) of ``field`` over the records of ``object`` whose
    ``via`` field holds the scored record's id (a lookup, or a text id field such as
    ``activity.who_id``), that match the boolean formula ``where`` and, with ``within_days``, whose
    ``date_field`` lies in the last ``within_days`` days up to the database clock's now. A count or
    sum of no records is 0; min, max and avg are NaN. Formulas of the same request may read it by
    name; ``hidden=True`` computes it for them without making it a column.

    >>> hotcrm.aggregate("activity", "who_id", where="ISPICKVAL(who_object, 'lead')",
    ...                  date_field="activity_date", within_days=30)
    """
    body: Dict[str, Any] = {"object": object, "via": via, "function": function}
    if field is not None:
        body["field"] = field
    if where is not None:
        body["filter"] = where
    if date_field is not None:
        body["date_field"] = date_field
    if within_days is not None:
        body["within_days"] = within_days
    spec: Dict[str, Any] = {"aggregate": body}
    if hidden:
        spec["hidden"] = True
    return spec


class ErrorCode(enum.IntEnum):
    """The stable numeric codes of hotcrm errors (``exc.code``); equal to plain ints."""

    usage = 1000
    parse = 1001
    not_supported = 1002
    cancelled = 1003
    too_large = 1004
    deadline = 1005
    schema = 2000
    schema_conflict = 2001
    unknown_object = 2002
    unknown_field = 2003
    validation = 3000
    workflow = 3100
    not_found = 4000
    conflict = 4001
    constraint = 4002
    store = 4003
    permission = 4004
    key = 4005
    busy = 4006
    io = 5000
    internal = 9000


__all__ = [
    "BusinessCalendar",
    "CancelToken",
    "CancelledError",
    "ConflictError",
    "ConstraintError",
    "CronSchedule",
    "Database",
    "Error",
    "ErrorCode",
    "EvaluationError",
    "FormulaError",
    "ImportReport",
    "NotFoundError",
    "ParseError",
    "PermissionError",
    "QueryResult",
    "SchemaError",
    "ScoreResult",
    "Session",
    "StoreError",
    "BusyError",
    "TimeZone",
    "Transaction",
    "UsageError",
    "ValidationError",
    "WorkflowError",
    "__version__",
    "aggregate",
    "check",
    "check_where",
    "default_model_names",
    "evaluate",
    "exponential_smoothing",
    "generate_key",
    "models",
    "open",
    "packages",
    "sample_data",
    "sample_records",
    "psi",
    "routing_hash",
    "sentiment",
    "standard_catalog_json",
]
