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

from . import _core, models
from ._core import (
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
    QueryResult,
    SchemaError,
    ScoreResult,
    Session,
    StoreError,
    TimeZone,
    Transaction,
    UsageError,
    ValidationError,
    WorkflowError,
    check,
    check_where,
    evaluate,
    open,
    packages,
    sample_data,
    sample_records,
    psi,
    routing_hash,
    standard_catalog_json,
)

__version__: str = _core.__version__


class ErrorCode(enum.IntEnum):
    """The stable numeric codes of hotcrm errors (``exc.code``); equal to plain ints."""

    usage = 1000
    parse = 1001
    not_supported = 1002
    cancelled = 1003
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
    io = 5000
    internal = 9000


__all__ = [
    "BusinessCalendar",
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
    "QueryResult",
    "SchemaError",
    "ScoreResult",
    "Session",
    "StoreError",
    "TimeZone",
    "Transaction",
    "UsageError",
    "ValidationError",
    "WorkflowError",
    "__version__",
    "check",
    "check_where",
    "evaluate",
    "models",
    "open",
    "packages",
    "sample_data",
    "sample_records",
    "psi",
    "routing_hash",
    "standard_catalog_json",
]
