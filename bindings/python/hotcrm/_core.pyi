"""Type stubs of hotcrm._core (hand-maintained; tests/python/test_examples.py checks the names)."""

from __future__ import annotations

import datetime
import decimal
import os
from types import TracebackType
from typing import Any, Callable, Dict, Iterable, Iterator, List, Literal, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

#: A value as hotcrm returns it.
Value = Union[None, bool, int, float, decimal.Decimal, str, datetime.date, datetime.datetime, List[str]]
#: A value hotcrm accepts (numpy scalars, pandas NA / NaT and NaN also work; NaN is null).
InputValue = Union[None, bool, int, float, decimal.Decimal, str, datetime.date, datetime.datetime,
                   List[str], Tuple[str, ...], Any]
Record = Dict[str, Value]
PathLike = Union[str, "os.PathLike[str]"]
FieldErrorDict = Dict[str, Any]  # keys: object, field, rule, code, message[, row]
DiagnosticDict = Dict[str, Any]  # keys: code, line, column, length, message, rendered
ViolationDict = Dict[str, Any]  # keys: record_id, object, rule, field, code, message
# keys: id, object, record_id, process, status, step, step_name, submitted_by, submitted_at,
# completed_at, pending_approvers, history (dicts: step, step_name, approver, decision, decided_at, comment)
ApprovalDict = Dict[str, Any]
# keys: milestone, status, started_at, target_minutes, elapsed_minutes, due_at, completed_at, warned,
# violated, escalation_level
SlaClockDict = Dict[str, Any]
#: {"ok": bool, "type": Optional[str], "diagnostics": List[DiagnosticDict]}
CheckResult = Dict[str, Any]

class Error(RuntimeError):
    code: int
    code_name: str
    errors: List[FieldErrorDict]

class UsageError(Error): ...
class ParseError(UsageError): ...
class CancelledError(UsageError): ...
class SchemaError(Error): ...
class ValidationError(Error): ...
class WorkflowError(Error): ...
class NotFoundError(Error): ...
class ConflictError(Error): ...
class ConstraintError(Error): ...
class StoreError(Error): ...
class BusyError(StoreError):
    """Another connection (thread or process) held the database's write lock longer than the busy
    timeout (busy_timeout_ms of open) this call waited. The transaction that waited wrote nothing, so
    the call may be retried as it is. .code is 4006 ('store.busy')."""
class PermissionError(Error):
    """The user of a session opened with access="user" may not do this (an object permission, a record
    it may read but not edit, a read-only field, an administration call). Unreadable records raise
    NotFoundError and hidden fields are unknown fields, so their existence does not leak."""
class FormulaError(UsageError):
    diagnostics: List[DiagnosticDict]
class EvaluationError(Error):
    formula_code: str

class _QueryResultIterator:
    def __iter__(self) -> _QueryResultIterator: ...
    def __next__(self) -> Record: ...

class QueryResult:
    def __len__(self) -> int: ...
    def __bool__(self) -> bool: ...
    def __iter__(self) -> Iterator[Record]: ...
    def __getitem__(self, index: int) -> Record: ...
    @property
    def fields(self) -> List[str]: ...
    @property
    def object(self) -> str: ...
    @property
    def next_cursor(self) -> Optional[str]: ...
    @property
    def kinds(self) -> Dict[str, str]: ...
    def to_numpy(self, field: Union[str, int]) -> npt.NDArray[Any]: ...
    def to_pandas(self, decimals: Literal["float", "object"] = "float") -> Any: ...
    def _pandas_columns(self, decimals_as_object: bool) -> List[Tuple[str, str, npt.NDArray[Any], Optional[npt.NDArray[np.bool_]]]]: ...

class ImportReport:
    @property
    def inserted(self) -> int: ...
    @property
    def rejected(self) -> List[FieldErrorDict]: ...
    @property
    def rejected_rows(self) -> int: ...
    @property
    def ids(self) -> List[str]: ...

class Transaction:
    def __enter__(self) -> Transaction: ...
    def __exit__(self, exc_type: Optional[type[BaseException]], exc_value: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> bool: ...
    @property
    def active(self) -> bool: ...

Aggregate = Union[str, Tuple[str, Optional[str]], Tuple[str, Optional[str], str]]
# A feature: a formula string, or a dict {"aggregate": {...}, "hidden": bool} (hotcrm.aggregate).
FeatureBody = Union[str, Mapping[str, Any]]
FeatureSpecs = Union[Mapping[str, FeatureBody], Sequence[Union[Tuple[str, FeatureBody], Mapping[str, Any]]]]
ImportData = Union[Any, Mapping[str, Union[Sequence[InputValue], npt.NDArray[Any]]], Iterable[Mapping[str, InputValue]]]

class CancelToken:
    """Stops a running query from another thread: pass it as cancel= and call cancel()."""
    def __init__(self) -> None: ...
    def cancel(self) -> None: ...
    @property
    def cancelled(self) -> bool: ...

class Session:
    @property
    def user(self) -> str: ...
    @property
    def tenant(self) -> str: ...
    def insert(self, object: str, record: Mapping[str, InputValue]) -> str: ...
    def get(self, object: str, id: str) -> Record: ...
    def find(self, object: str, id: str) -> Optional[Record]: ...
    def update(self, object: str, id: str, changes: Mapping[str, InputValue],
               expected_version: Optional[int] = None) -> int: ...
    def delete(self, object: str, id: str) -> None:
        """Deletes the record (on_delete rules for its children); it and its cascade go to the recycle bin."""
    def restore(self, object: str, id: str) -> int:
        """Brings a deleted record (and what its delete cascaded to) back from the recycle bin; returns how many."""
    def recycle_bin(self, object: Optional[str] = None) -> List[Dict[str, Any]]:
        """Deleted records, newest first: {object, id, deleted_at, deleted_by, deleted_with_object, deleted_with_id}."""
    def purge(self, now: datetime.datetime, retention: datetime.timedelta) -> int:
        """Removes for good the bin entries of records deleted before now - retention; returns how many."""
    def query(self, object: str, where: Optional[str] = None, order_by: Union[str, Sequence[str], None] = None,
              limit: Optional[int] = None, offset: int = 0, fields: Optional[Sequence[str]] = None,
              after: Optional[str] = None, timeout: Optional[float] = None,
              cancel: Optional[CancelToken] = None) -> QueryResult:
        """Reads records. timeout (seconds) or cancel (a CancelToken) bound the read: CancelledError."""
    def explain(self, object: str, where: Optional[str] = None, order_by: Union[str, Sequence[str], None] = None,
                fields: Optional[Sequence[str]] = None) -> str:
        """The SQL a query runs and SQLite's plan for it; engine-evaluated formula parts show as hotcrm_engine(...)."""
        ...
    def count(self, object: str, where: Optional[str] = None) -> int: ...
    def aggregate(self, object: str, group_by: Optional[Sequence[str]] = None,
                  aggregates: Optional[Sequence[Aggregate]] = None, where: Optional[str] = None,
                  timeout: Optional[float] = None, cancel: Optional[CancelToken] = None) -> QueryResult: ...
    def import_records(self, object: str, data: ImportData, on_error: Literal["abort", "skip"] = "abort",
                       chunk_rows: int = 50000,
                       on_progress: Optional[Callable[[int, int], Optional[bool]]] = None,
                       workflows: bool = True) -> ImportReport: ...
    def import_file(self, object: str, path: PathLike, format: Optional[str] = None,
                    on_error: Literal["abort", "skip"] = "abort") -> ImportReport: ...
    def transaction(self) -> Transaction: ...
    def objects(self) -> List[str]: ...
    def describe(self, object: str) -> Dict[str, Any]:
        """The object's definition: name, labels, package, fields (each with its type, constraints and
        "package": the package that added it to another package's object, else None) and rules."""
    def catalog_json(self, object: Optional[str] = None, indent: int = 2) -> str: ...
    def check(self, object: str, expr: str, blank_as_zero: bool = False) -> CheckResult: ...
    def evaluate(self, object: str, expr: str, record: Optional[Mapping[str, InputValue]] = None,
                 prior: Optional[Mapping[str, InputValue]] = None, blank_as_zero: bool = False) -> Value: ...
    def validate(self, object: str) -> List[ViolationDict]: ...
    def fire(self, object: str, id: str, event: str) -> str:
        """Fires a state-machine event on a record; returns its new state (WorkflowError if refused)."""
    def run_due(self, now: Union[datetime.datetime, str]) -> Dict[str, int]:
        """Runs time triggers, state timeouts and scheduled rules due up to `now`, in time order."""
    def outbox(self, status: str = "pending", limit: int = 1000) -> List[Dict[str, Any]]:
        """Outbox messages (e-mail and webhooks for the host to deliver), payload decoded."""
    def ack(self, ids: Sequence[int], status: str = "sent") -> None:
        """Marks outbox messages as 'sent' or 'failed'."""
    def workflow_log(self, after: int = 0, limit: int = 10000) -> List[Dict[str, Any]]:
        """The execution log: rules, transitions and actions, with their detail."""
    def timers(self, object: str = "", id: str = "") -> List[Dict[str, Any]]:
        """Timed actions waiting for run_due."""
    def register_action(self, name: str, callback: Callable[[Dict[str, Any]], None]) -> None:
        """Registers the host callback of custom actions named `name`."""
    def business_time_add(self, business_hours_id: str, start: Union[datetime.datetime, str],
                          minutes: int) -> datetime.datetime:
        """`minutes` business minutes after `start` under a business_hours record."""
    def business_minutes_between(self, business_hours_id: str, a: Union[datetime.datetime, str],
                                 b: Union[datetime.datetime, str]) -> int:
        """Business minutes between two instants under a business_hours record."""
    def convert_lead(self, lead_id: str, opportunity: bool = True, opportunity_name: str = "",
                     owner: Optional[str] = None, account_id: Optional[str] = None) -> Dict[str, Any]:
        """Converts a lead into an account, a contact and optionally an opportunity; returns their ids."""
    def simulate(self, object: str, changes: Mapping[str, InputValue], id: str = "") -> Dict[str, Any]:
        """What a change would trigger ({record, log, outbox, timers}), computed and rolled back."""
    def submit(self, object: str, id: str, *, comment: str = "", process: str = "") -> ApprovalDict:
        """Submits a record for approval as the session's user: to the first active process (by order)
        whose entry criteria it meets, or to `process`; the first applicable step becomes pending.
        WorkflowError when already pending, no process applies or a step has no approver (nothing kept)."""
    def approve(self, object: str, id: str, *, approver: str = "", comment: str = "") -> ApprovalDict:
        """Approves the pending step as `approver` (default: the session's user): the next applicable
        step, or final approval with the process's on_approve actions. WorkflowError when not an approver."""
    def reject(self, object: str, id: str, *, approver: str = "", comment: str = "") -> ApprovalDict:
        """Rejects the pending step: final, or back to the previous applicable step (on_reject 'back')."""
    def recall(self, object: str, id: str, *, comment: str = "") -> ApprovalDict:
        """Withdraws a pending request (its submitter or the system user); the record is unlocked."""
    def approval(self, object: str, id: str) -> Optional[ApprovalDict]:
        """The record's latest approval request with every approver's part, or None if never submitted."""
    def approval_queue(self, approver: str) -> List[ApprovalDict]:
        """The pending requests waiting on `approver`, oldest first."""
    def assign(self, object: str, id: str) -> Optional[str]:
        """Runs the object's assignment rules on a stored record and writes the result; returns the user
        (None when the record went to a queue only). WorkflowError when no entry matches."""
    def sla(self, object: str, id: str) -> List[SlaClockDict]:
        """The record's SLA milestones: target, deadline, business minutes used, status, thresholds passed."""
    def features(self, object: str, features: FeatureSpecs, where: Optional[str] = None,
                 one_hot: Sequence[str] = ()) -> Tuple[npt.NDArray[np.float64], List[str], List[str]]:
        """A feature matrix (X, names, ids): one row per matching record, one column per feature: a
        formula, or hotcrm.aggregate(...) of related records (hidden aggregates are read by the formulas
        of the same call, not columns)."""
    def features_in_chunks(self, object: str, features: FeatureSpecs,
                           on_chunk: Callable[[npt.NDArray[np.float64], List[str], List[str]], Optional[bool]],
                           where: Optional[str] = None, chunk_rows: int = 4096) -> int:
        """Streams the feature matrix block by block to on_chunk(X, names, ids); False stops."""
        ...
    # ---- the model registry (docs/scoring.md, "Registry") ----
    def register_model(self, name: str, model: Model, *, features: FeatureSpecs,
                       object: str, metrics: Optional[Mapping[str, Any]] = None, reference: Optional[npt.ArrayLike] = None,
                       bands: Optional[Mapping[str, float]] = None, clip: Optional[Tuple[float, float]] = None,
                       below: str = "", round: Literal["none", "half_up", "half_down"] = "none", status: Literal["challenger", "champion"] = "challenger", traffic: float = 0.0,
                       description: str = "") -> Dict[str, Any]:
        """Stores the next version of `name`; returns its info dict (the first version is the champion)."""
    def models(self, name: str = "") -> List[Dict[str, Any]]:
        """Every registered version (or those of `name`) as info dicts."""
    def model(self, name: str, version: Optional[int] = None) -> Tuple[Model, Dict[str, Any]]:
        """(Model, info) of a version, or of the champion."""
    def promote(self, name: str, version: int) -> None:
        """Makes a version the champion; the previous champion is retired."""
    def set_traffic(self, name: str, version: int, percent: float) -> None:
        """Routes `percent` of the records to a challenger."""
    def retire(self, name: str, version: int) -> None: ...
    def set_reference(self, name: str, version: int, where: Optional[str] = None) -> Tuple[List[float], List[float]]:
        """Stores the histogram of current scores as the version's PSI reference: (edges, fractions)."""
    def score(self, name: str, where: Optional[str] = None, *, explain: bool = False, write: bool = False,
              limit: Optional[int] = None, top_k: int = 3) -> ScoreResult:
        """Scores the matching records with the champion (and challengers by traffic share); releases the GIL."""
    def monitor(self, name: str, *, label: Optional[str] = None, where: Optional[str] = None,
                bins: int = 10) -> Dict[str, Any]:
        """PSI against the reference and AUC / log-loss / calibration against a label formula, per version."""
    def train(self, name: str, *, object: str, features: FeatureSpecs,
              label: str, where: Optional[str] = None, l2: float = 1.0,
              status: Literal["challenger", "champion"] = "challenger", traffic: float = 0.0,
              description: str = "") -> Dict[str, Any]:
        """Trains an L2 logistic regression from the database and registers it with its metrics."""
    # ---- accountability (docs/security.md) ----
    def history(self, object: str, id: str) -> List[Dict[str, Any]]:
        """The record's field history, oldest first: dicts of sequence, at, actor, operation, object, record_id,
        field, old_value, new_value (typed like the field), erased, hash. Deleted records keep theirs."""
    def export_person(self, email: str) -> Dict[str, Any]:
        """Everything held about the person with this e-mail address (records, related records, deleted
        records, history, outbox, workflow_log); logged as a gdpr_export audit entry."""
    def erase_person(self, email: str) -> Dict[str, Any]:
        """Anonymises the person's personal data in records, history and journal; returns {records: [(object,
        id)], fields, history_entries, journal_rows}. The history chain still verifies."""
    # ---- access control (docs/security.md) ----
    def define_role(self, role: str, parent: str = "") -> None:
        """Creates a role, or moves it under `parent` ("": the top). Managers read their reports' records."""
    def set_user(self, user: str, role: str = "", administrator: bool = False) -> None:
        """Creates or replaces a user of the security model: its role and administrator flag (bypass)."""
    def user_access(self, user: str) -> Optional[Dict[str, Any]]:
        """The user's entry (user, role, administrator), or None."""
    def add_to_group(self, group: str, user: str) -> None:
        """Adds a user to a group."""
    def remove_from_group(self, group: str, user: str) -> None:
        """Removes a user from a group."""
    def grant(self, permission_set: str, object: str, permissions: Sequence[str]) -> None:
        """What a permission set allows on an object: 'create', 'read', 'edit', 'delete', 'view_all', 'modify_all'."""
    def grant_field(self, permission_set: str, object: str, field: str, read: bool = True, edit: bool = False) -> None:
        """Field-level security: once a set mentions a field, only sets granting it let their users see / edit it."""
    def assign_permission_set(self, user: str, permission_set: str) -> None:
        """Gives a user a permission set."""
    def revoke_permission_set(self, user: str, permission_set: str) -> None:
        """Takes a permission set from a user."""
    def set_sharing_model(self, object: str, model: Literal["private", "public_read", "public_read_write"]) -> None:
        """The organisation-wide default of an object (private until set). UsageError for a detail object
        (a master-detail child), whose access is its master's."""
    def set_sharing_hierarchy(self, object: str, enabled: bool) -> None:
        """'Grant access using hierarchies' (on until set): when on, managers up the role hierarchy get what
        their reports have as owners, through manual shares and through sharing rules; when off, only
        'role_and_subordinates:' grantees reach below. UsageError for a detail object."""
    def set_group_hierarchy(self, group: str, enabled: bool) -> None:
        """'Grant access using hierarchies' for a public group (on until set): when off, what is shared with
        the group (shares and sharing rules) reaches its members only, not their managers."""
    def add_sharing_rule(self, name: str, object: str, criteria: str, grantee: str,
                         access: Literal["read", "edit"] = "read") -> None:
        """Shares the records matching the boolean formula `criteria` with 'role:X', 'role_and_subordinates:X',
        'group:X' or 'user:X'."""
    def remove_sharing_rule(self, object: str, name: str) -> None:
        """Removes a sharing rule."""
    def share(self, object: str, id: str, grantee: str, access: Literal["read", "edit"] = "read") -> None:
        """Shares one record with a grantee; takes edit access to the record. UsageError for a detail
        object's record (share its master)."""
    def unshare(self, object: str, id: str, grantee: str) -> None:
        """Removes a manual share."""
    def shares(self, object: str, id: str) -> List[Dict[str, str]]:
        """The manual shares of a record: dicts of grantee and access."""
    def access(self, object: str) -> Dict[str, Any]:
        """What this session's user may do with the object: bypass, permissions, sharing, hierarchy (grant
        access using hierarchies), controlled_by (a detail's master-detail fields), hidden_fields,
        read_only_fields."""
    def install_default_models(self) -> List[str]:
        """Registers the default models of the standard catalog (the seed's formulas) that are missing."""
    # ---- forecasts, recommendations, sentiment (docs/scoring.md) ----
    def forecast(self, months: int = 12, *, account_id: Optional[str] = None, history_months: int = 24,
                 trend: bool = True, coverage: float = 0.95) -> Dict[str, Any]:
        """Revenue forecast per month: the seed's weighted pipeline (Decimals) and exponential smoothing
        of the closed-won history with prediction intervals."""
    def recommend(self, quote_id: Optional[str] = None, *, products: Optional[Sequence[str]] = None, limit: int = 5,
                  min_support: int = 2, quotes: bool = True, invoices: bool = True) -> List[Dict[str, Any]]:
        """Products often bought with a quote's (or the given) products, by cosine similarity of baskets."""
    def sentiment(self, object: str, field: str, *, where: Optional[str] = None,
                  write: Optional[str] = None) -> Dict[str, Any]:
        """Sentiment of a text field of the matching records: {ids, scores, labels, written}."""
    def __enter__(self) -> Session: ...
    def __exit__(self, exc_type: Optional[type[BaseException]], exc_value: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> bool: ...

class Database(Session):
    def session(self, user: str, tenant: str = "default",
                access: Literal["system", "user"] = "system") -> Session:
        """A session acting for `user` in `tenant`; access="user" enforces the user's permissions and sharing.
        With tenant_files, the session works on the tenant's own file (created on first use unless read-only);
        a tenant name outside [a-z0-9][a-z0-9_-]* raises UsageError."""
    def close(self) -> None: ...
    @property
    def path(self) -> str:
        """The database file (or ":memory:"), or the tenant directory."""
    @property
    def tenant_files(self) -> bool:
        """True when opened as a tenant directory (one file per tenant)."""
    def tenants(self) -> List[str]:
        """The tenants holding data, sorted: the tenant files of a tenant directory, else the distinct
        tenant_id of the object tables. Cross-tenant work loops over them with db.session(...)."""
    @property
    def migration(self) -> List[str]:
        """The schema steps opening this database applied (tenant_files: prefixed "tenant T: ")."""
    def verify_history(self) -> Dict[str, Any]:
        """Recomputes the field history's hash chain: {ok, entries, head, broken_at, problem}.
        With tenant_files: the file of the Database's own tenant (hotcrm.open(..., tenant=...))."""
    def backup(self, path: PathLike, *, overwrite: bool = False, pages_per_step: int = 256) -> None:
        """Copies the database to `path` with SQLite's online backup API while others keep writing.
        With tenant_files: the file of the Database's own tenant."""
    def reencrypt(self) -> int:
        """Key rotation: re-seals with the current key every encrypted value an older key sealed; returns how many."""
    def __enter__(self) -> Database: ...
    def __exit__(self, exc_type: Optional[type[BaseException]], exc_value: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> bool: ...

def open(path: PathLike, catalog: Union[PathLike, Mapping[str, Any], List[Any], None] = None, *,
         extend_standard: bool = False, packages: Optional[Sequence[str]] = None,
         allow_destructive: bool = False, read_only: bool = False,
         create: bool = True, busy_timeout_ms: int = 5000, id_seed: int = 0,
         now: Optional[datetime.datetime] = None,
         keys: Union[Mapping[str, bytes], Callable[[str], Optional[bytes]], PathLike, None] = None,
         current_key: Optional[str] = None, tenant_files: bool = False,
         tenant: str = "default") -> Database:
    """Opens (creating and migrating as needed) a database file, or ":memory:".

    keys: the keys of the catalog's encrypted fields: {key_id: 32 bytes} (current_key names the key that
    seals new values; optional with one key), a callable key_id -> bytes or None (current_key required;
    called once per key id), or a key file path (lines "<id> <64 hex digits>", the last one current).
    Without keys, reading or writing an encrypted value raises StoreError (code 4005).

    tenant_files=True opens `path` as a tenant directory: one SQLite file per tenant (DIR/<tenant>.db,
    created on first use, names [a-z0-9][a-z0-9_-]*) sharing DIR/catalog.json; every tenant file is
    migrated on open when the catalog changes (all planned first: a refused migration changes none).
    db.session(user=..., tenant=...) then works on that tenant's own file with the same API. tenant=
    is the tenant of the Database's own session.

    catalog: a .json file, a folder of them, or the definitions as a dict / list; None uses the stored
    catalog (the standard one for a new file). extend_standard=True adds catalog's objects to the
    standard catalog (or the packages= selection) and applies its extensions
    ({"extends": "lead", "fields": [...]}) to the standard objects."""
    ...
def sample_data(db: Session, scale: int = 1, seed: int = 42, today: str = "2026-01-15") -> Dict[str, int]: ...
def sample_records(db: Session, object: str, rows: int, seed: int = 42, today: str = "2026-01-15",
                   fields: Optional[Sequence[str]] = None) -> Dict[str, List[Value]]:
    """`rows` valid records of `object`, not inserted, as a dict of columns {field: [values]} (what
    import_records and pandas.DataFrame take): the generator's records for that object, lookups pointing
    at records already stored, unique fields unique within the batch. fields= keeps only those columns
    (the records are generated whole: leaving out a field a rule reads may make them invalid)."""
    ...
def packages() -> List[Dict[str, Any]]:
    """The standard catalog's packages, dependencies first: [{name, label, description, depends, extends}].

    extends lists what a package adds to other packages' objects, [{object, fields, validation_rules}]
    (marketing adds campaign_id to opportunity and lead)."""
    ...
def generate_key() -> bytes:
    """A new random 32-byte key for encrypted fields (keys= of open)."""
    ...
def check_where(where: str) -> str: ...
def check(expr: str, types: Optional[Mapping[str, str]] = None, *, blank_as_zero: bool = False) -> CheckResult: ...
def evaluate(expr: str, record: Optional[Mapping[str, InputValue]] = None, types: Optional[Mapping[str, str]] = None,
             *, blank_as_zero: bool = False, now: Optional[datetime.datetime] = None) -> Value: ...
def error_codes() -> Dict[str, int]: ...
def standard_catalog_json(indent: int = 2) -> str: ...


class TimeZone:
    """A time zone from the system's tz database ("Europe/Paris"), "UTC" or a fixed offset ("+05:30")."""
    def __init__(self, name: str) -> None: ...
    @property
    def name(self) -> str: ...
    def utc_offset(self, at: datetime.datetime) -> int:
        """Seconds east of UTC in force at the instant `at`."""
        ...
    def local(self, at: datetime.datetime) -> str:
        """The local time at `at` as ISO text with its offset and abbreviation."""
        ...

class CronSchedule:
    """A 5-field cron expression in a time zone (see docs/time.md for the daylight-saving rules)."""
    def __init__(self, expression: str, zone: Union[str, TimeZone] = "UTC") -> None: ...
    @property
    def expression(self) -> str: ...
    def next_after(self, after: datetime.datetime) -> datetime.datetime:
        """The first run strictly after `after`."""
        ...
    def occurrences_between(self, start: datetime.datetime, end: datetime.datetime,
                            limit: int = 1000) -> List[datetime.datetime]:
        """Runs in (start, end], at most `limit`."""
        ...

class BusinessCalendar:
    """Business hours in a time zone with holidays, and exact business-time arithmetic."""
    def __init__(self, zone: Union[str, TimeZone], hours: Mapping[str, Union[str, Sequence[str]]],
                 holidays: Optional[Iterable[Union[datetime.date, str, Mapping[str, Any]]]] = None) -> None: ...
    def is_open(self, at: datetime.datetime) -> bool: ...
    def next_open(self, at: datetime.datetime) -> datetime.datetime:
        """`at` itself when open, else the next opening."""
        ...
    def add_minutes(self, start: datetime.datetime, minutes: int) -> datetime.datetime:
        """The instant `minutes` business minutes after `start`."""
        ...
    def minutes_between(self, a: datetime.datetime, b: datetime.datetime) -> int:
        """Business minutes from a to b (negative when b is earlier)."""
        ...
# ---- scoring (hotcrm.models wraps these) ------------------------------------------------------

#: A matrix argument: a 2-D float64 array, rows x features (C-contiguous is read in place; other
#: arrays and nested sequences are converted once). NaN is a missing value.
MatrixLike = Union[npt.NDArray[np.float64], npt.ArrayLike]
#: A feature: a name, or a (name, category labels) pair for categorical features.
FeatureSpec = Union[str, Tuple[str, Sequence[str]]]
#: {feature, name, value, value_text, contribution, text}; text reads "industry = technology: +0.42".
FactorDict = Dict[str, Any]

class Model:
    """A scoring model (points, linear, logistic, naive_bayes or tree_ensemble). Immutable."""
    @property
    def kind(self) -> str:
        """'points', 'linear', 'logistic', 'naive_bayes' or 'tree_ensemble'."""
    @property
    def feature_names(self) -> List[str]:
        """The feature names, in column order."""
    @property
    def features(self) -> List[Dict[str, Any]]:
        """The features as dicts {name, categories}."""
    @property
    def n_features(self) -> int:
        """The number of columns X must have."""
    @property
    def outputs_probability(self) -> bool:
        """True when predict returns probabilities, False for raw values."""
    def predict(self, X: MatrixLike) -> npt.NDArray[np.float64]:
        """Scores (probability or value) of every row; releases the GIL."""
    def predict_raw(self, X: MatrixLike) -> npt.NDArray[np.float64]:
        """Raw outputs (margin, log-odds or points) of every row."""
    def explain(self, X: MatrixLike) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(base values, contributions): exact Shapley values, base + contributions.sum(1) == predict_raw(X)."""
    def top_factors(self, X: MatrixLike, row: int = 0, k: int = 3) -> Dict[str, List[FactorDict]]:
        """{'positive': [...], 'negative': [...]}: the k strongest contributions of one row."""
    def to_json(self, indent: Optional[int] = None) -> str:
        """The model as our JSON (model_from_json reads it back)."""

class NaiveBayesTable:
    """Won/lost frequency tables of categorical features (Odoo-style predictive lead scoring)."""
    def __init__(self, features: Sequence[Tuple[str, Sequence[str]]]) -> None: ...
    def observe(self, X: MatrixLike, y: npt.ArrayLike) -> None:
        """Counts every row of X (category codes) with its outcome (1 won, 0 lost)."""
    def observe_one(self, row: npt.ArrayLike, won: bool) -> None:
        """Counts one outcome (incremental update)."""
    def forget(self, row: npt.ArrayLike, won: bool) -> None:
        """Removes one counted outcome."""
    @property
    def won_total(self) -> float:
        """Outcomes counted as won."""
    @property
    def lost_total(self) -> float:
        """Outcomes counted as lost."""
    def counts(self, feature: int) -> Tuple[List[float], List[float]]:
        """(won counts, lost counts) per category of one feature."""
    def model(self) -> Model:
        """The naive Bayes Model of the current tables."""
    def __eq__(self, other: object) -> bool: ...

def model_from_json(text: str) -> Model:
    """A model from our JSON; ParseError names the JSON path of a malformed element."""
def load_xgboost(path: str) -> Model:
    """A tree ensemble from an XGBoost JSON model file."""
def xgboost_from_json(text: str) -> Model:
    """A tree ensemble from the text of an XGBoost JSON model."""
def linear_model(coef: npt.ArrayLike, intercept: float = 0.0, feature_names: Optional[Sequence[FeatureSpec]] = None,
                 mean: Optional[npt.ArrayLike] = None) -> Model:
    """Linear regression w·x + b (mean: the explanation background)."""
def logistic_model(coef: npt.ArrayLike, intercept: float = 0.0, feature_names: Optional[Sequence[FeatureSpec]] = None,
                   mean: Optional[npt.ArrayLike] = None) -> Model:
    """Logistic regression sigmoid(w·x + b)."""
def train_logistic(X: MatrixLike, y: npt.ArrayLike, l2: float = 1.0, max_iterations: int = 100,
                   tolerance: float = 1e-9, fit_intercept: bool = True,
                   feature_names: Optional[Sequence[FeatureSpec]] = None) -> Tuple[Model, Dict[str, Any]]:
    """Deterministic L2 logistic regression: (model, {log_loss, auc, iterations, converged, gradient_norm})."""

class ScoreResult:
    """Scores of one Session.score run, one row per scored record."""
    @property
    def model(self) -> str: ...
    @property
    def object(self) -> str: ...
    @property
    def ids(self) -> npt.NDArray[np.object_]: ...
    @property
    def scores(self) -> npt.NDArray[np.float64]: ...
    @property
    def raw(self) -> npt.NDArray[np.float64]: ...
    @property
    def model_versions(self) -> npt.NDArray[np.int64]: ...
    @property
    def record_versions(self) -> npt.NDArray[np.int64]: ...
    @property
    def bands(self) -> Optional[npt.NDArray[np.object_]]: ...
    @property
    def feature_names(self) -> List[str]: ...
    @property
    def base(self) -> Optional[npt.NDArray[np.float64]]: ...
    @property
    def contributions(self) -> Optional[npt.NDArray[np.float64]]: ...
    @property
    def skipped(self) -> int: ...
    @property
    def written(self) -> int: ...
    def __len__(self) -> int: ...
    def to_pandas(self) -> Any: ...

def default_model_names() -> List[str]:
    """The default models of the standard catalog (the seed's applications), in install order."""
def routing_hash(model_name: str, record_id: str) -> int:
    """FNV-1a 64 of model_name, a zero byte and record_id (bucket = hash % 10000)."""
def exponential_smoothing(y: npt.ArrayLike, horizon: int = 12, *, trend: bool = True, coverage: float = 0.95,
                          params: Optional[Mapping[str, float]] = None) -> Dict[str, Any]:
    """Holt's linear trend (or simple) exponential smoothing: the fit and horizon forecasts with intervals."""
def sentiment(text: str) -> Dict[str, Any]:
    """Lexicon-based sentiment of a text: {score, total, label, terms}."""
def psi(reference: npt.ArrayLike, current: npt.ArrayLike, bins: int = 10) -> float:
    """Population stability index of `current` against quantile bins of `reference`."""
