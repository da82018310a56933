#pragma once
// The embedded store: a SQLite file (or ":memory:") whose schema is generated from the catalog, or
// a tenant directory holding one such file per tenant (StoreLayout::tenant_files).
// Database owns the connection(s); Session is a view acting for one user in one tenant.
// A Database and its sessions must be used from one thread at a time.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/error.hpp"
#include "hotcrm/formula/formula.hpp"
#include "hotcrm/model/catalog.hpp"
#include "hotcrm/progress.hpp"
#include "hotcrm/store/access.hpp"
#include "hotcrm/store/encryption.hpp"
#include "hotcrm/store/history.hpp"
#include "hotcrm/store/query.hpp"
#include "hotcrm/store/record.hpp"
#include "hotcrm/time/business_calendar.hpp"
#include "hotcrm/store/typed.hpp"
#include "hotcrm/value.hpp"
#include "hotcrm/workflow/workflow.hpp"

namespace hotcrm::detail {
struct TenantDirectory;
}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

/// The library's own access to a Session's internals (defined inside the library only).
struct SessionInternals;

/// The source of "now" for timestamps and defaults. Injected so that tests and replays are
/// deterministic; system_clock() is the default used only at the application edge.
using Clock = std::function<DateTime()>;
Clock system_clock();
/// A clock that always returns `at`.
Clock fixed_clock(DateTime at);

/// How tenants are stored (docs/store.md, "Tenant layouts").
enum class StoreLayout : std::uint8_t {
  /// One file for every tenant: rows carry tenant_id and every statement filters on it.
  single_file,
  /// A tenant directory: tenant T lives in its own file DIR/T.db (created with the schema on first
  /// use, opened lazily, then cached), DIR/catalog.json holds the catalog all the files share.
  /// Tenant names are [a-z0-9][a-z0-9_-]* (at most 64), so that they cannot leave the directory.
  tenant_files,
};

struct OpenOptions {
  /// The catalog to run with. Absent: the catalog stored in the file, or Catalog::standard() for a
  /// new file. Present and different from the stored one: the schema is migrated in place.
  std::optional<Catalog> catalog;
  /// Allow migrations that lose data (dropping or retyping fields, dropping objects).
  bool allow_destructive = false;
  bool read_only = false;
  bool create = true;                  ///< create the file if missing
  std::int32_t busy_timeout_ms = 5000;
  /// SQLite page cache per connection. Bulk loads into indexed tables slow down sharply once the
  /// indexes outgrow it, so the default is well above SQLite's 2 MiB.
  std::int32_t cache_size_mb = 64;
  Clock clock = system_clock();
  /// Seed for record ids; 0 draws one from the operating system. Fixed seeds make runs repeatable
  /// (with tenant_files, each tenant's generator mixes the tenant name into it).
  std::uint64_t id_seed = 0;
  /// Keys of the catalog's encrypted fields (docs/security.md). Without a provider the database
  /// opens, but reading or writing an encrypted value throws StoreError(ErrorCode::key).
  std::shared_ptr<const KeyProvider> keys;
  /// single_file: `path` is a database file; tenant_files: `path` is a tenant directory (created
  /// when missing, if `create`), whose existing tenant files are all migrated on open when the
  /// catalog changes (every file is planned first: a refused migration changes none).
  StoreLayout layout = StoreLayout::single_file;
  /// The tenant of the Database's own session (the Database is also a Session). With tenant_files,
  /// its file is opened (created unless read_only) by open().
  std::string tenant = "default";
};

/// Who is acting: recorded in created_by / updated_by / owner_id and tenant_id. `access` says
/// whether the user's permissions and sharing apply (AccessMode::user) or the session bypasses
/// them (AccessMode::system, the default: the host application, imports of reference data,
/// administration). A session serving an end user must ask for AccessMode::user.
struct SessionContext {
  std::string user = "system";
  std::string tenant = "default";
  AccessMode access = AccessMode::system;
};

enum class OnError : std::uint8_t { abort, skip };

/// A record in the recycle bin (Session::recycle_bin).
struct DeletedRecord {
  std::string object;
  std::string id;
  DateTime deleted_at;
  std::string deleted_by;
  /// The record whose delete cascaded to this one: restore that one (empty when deleted itself).
  std::string deleted_with_object;
  std::string deleted_with_id;
};

struct ImportOptions {
  OnError on_error = OnError::abort;
  ProgressCallback on_progress;        ///< called once per chunk
  std::int64_t chunk_rows = 10'000;
  /// Run the objects' workflow rules and state-machine entries for the imported rows (after they
  /// are all written; docs/workflow.md). Off for loading history, which should not alert anyone.
  bool run_workflows = true;
};

struct ImportReport {
  std::int64_t inserted = 0;
  std::vector<FieldError> rejected;    ///< one entry per problem; `row` is the 0-based input row
  std::vector<std::string> ids;        ///< ids of the inserted rows, in input order
  std::int64_t rejected_rows() const noexcept;
};

/// How Database::backup copies: in steps of `pages_per_step` pages (the source is read in one
/// snapshot; writers of other connections and threads go on meanwhile).
struct BackupOptions {
  std::int32_t pages_per_step = 256;
  bool overwrite = false;         ///< replace an existing destination file (else UsageError)
  ProgressCallback on_progress;   ///< called after each step with pages done / total
};

/// An aggregate of the child records of each scored record: `function` (count, sum, min, max, avg)
/// of `field` over the records of `object` whose `via` field holds the scored record's id, that
/// match `filter` and, with `within_days`, whose `date_field` lies in the last `within_days` days up
/// to now (the session clock). `via` is a lookup to the scored object, or a text field holding ids
/// of several objects (activity.who_id: then filter on the type, "ISPICKVAL(who_object, 'lead')").
/// Computed in SQL, grouped over one page of scored records at a time.
struct FeatureAggregate {
  std::string object;
  std::string via;
  std::string function = "count";
  std::string field;       ///< the child field aggregated (stored); none for count
  std::string filter;      ///< optional boolean formula over the child
  std::string date_field;  ///< with within_days: the child's date or datetime field
  std::int64_t within_days = 0;  ///< > 0: only children dated in [now - within_days days, now]
  bool operator==(const FeatureAggregate&) const = default;
};

/// One feature of a feature matrix (Session::features): a formula over the object, or an aggregate
/// of related records. Formulas may name the aggregates of the same request like fields
/// ("MIN(100, 5 * activities_30d)"); a `hidden` aggregate is computed for them but is not a column.
struct FeatureSpec {
  std::string name;
  std::string formula;
  std::optional<FeatureAggregate> aggregate;  ///< set: this feature is an aggregate (formula empty)
  bool hidden = false;                        ///< aggregates only: not a column of the matrix

  static FeatureSpec of(std::string name, std::string formula) { return {std::move(name), std::move(formula), {}, false}; }
  static FeatureSpec of(std::string name, FeatureAggregate aggregate, bool hidden = false) {
    return {std::move(name), {}, std::move(aggregate), hidden};
  }
  bool operator==(const FeatureSpec&) const = default;
};

/// Feature specs as JSON, the form the registry stores and `hotcrm model register` reads:
/// [{"name", "formula"} | {"name", "aggregate": {"object", "via", "function", "field", "filter",
/// "date_field", "within_days"}, "hidden"}].
std::string feature_specs_to_json(const std::vector<FeatureSpec>& specs);
/// Parses feature_specs_to_json's form (also {name: formula | {"aggregate": ...}} objects, in document
/// order). Throws UsageError(parse) naming the element ("/2/aggregate/function: expected a string").
std::vector<FeatureSpec> feature_specs_from_json(std::string_view json);

/// Features of many records, row-major: values[row * names.size() + column].
struct FeatureMatrix {
  std::vector<std::string> names;
  std::vector<std::string> ids;  ///< the record of each row
  std::vector<double> values;
  std::size_t rows() const noexcept { return ids.size(); }
};

/// One feature per option of a picklist field: "industry=technology" is 1 where the field holds that
/// option, else 0 (a blank field is 0 everywhere).
std::vector<FeatureSpec> one_hot_features(const Catalog& catalog, std::string_view object, std::string_view field);

/// What a migration did (or, with dry_run, would do).
struct MigrationReport {
  std::vector<std::string> steps;      ///< e.g. "create object lead", "add field lead.score"
  bool changed() const noexcept { return !steps.empty(); }
};

class Database;
class ModelRegistry;
class Session;

/// An open transaction (Session::begin): commit() keeps its writes; destruction or rollback() without
/// commit discards them. While it is open, calls on the same database from other threads wait, and it
/// must be finished on the thread that began it.
class Transaction {
 public:
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) noexcept;
  ~Transaction();
  void commit();
  void rollback();
  bool active() const noexcept;

 private:
  friend class Session;
  struct State;
  explicit Transaction(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// A bulk import fed batch by batch, so memory stays bounded, and committed as one transaction
/// (Session::begin_import). Rows are numbered across batches. When the import at least doubles the
/// table, its secondary indexes, unique ones included, are built once at the end (a sorted build is
/// far cheaper than row-by-row maintenance); duplicates of a unique field are then found by query and
/// reported per row as the row-by-row check would ("the first row wins"). Like Transaction, it holds
/// the database until finished or destroyed, and must stay on the thread that began it.
class BulkImport {
 public:
  BulkImport(BulkImport&&) noexcept;
  BulkImport& operator=(BulkImport&&) noexcept;
  ~BulkImport();  ///< rolls back unless finish() succeeded
  /// Validates and writes the rows of `batch` (its own field list). In abort mode problems are
  /// collected and reported by finish().
  void add(const RecordBatch& batch);
  /// Rows given so far.
  std::int64_t rows() const noexcept;
  /// Problems found so far (duplicates of deferred unique indexes are found only by finish()).
  const std::vector<FieldError>& problems() const noexcept;
  /// Builds deferred indexes, resolves unique duplicates and commits. abort: throws
  /// ValidationError listing every problem (nothing is kept); skip: the report lists them.
  ImportReport finish();

 private:
  friend class Session;
  struct State;
  explicit BulkImport(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// Operations on behalf of one user in one tenant. Cheap to copy; valid while its Database lives.
class Session {
 public:
  const SessionContext& context() const noexcept { return context_; }
  const Catalog& catalog() const;

  /// Inserts a record; returns its id. Fields not given, or given as null, take their default.
  /// Throws ValidationError (every field problem at once), ConflictError (unique value taken) or
  /// SchemaError (unknown object). Nothing is written on error.
  std::string insert(std::string_view object, const Record& record);
  /// The record with all stored fields, or nullopt.
  std::optional<Record> find(std::string_view object, std::string_view id);
  /// The record; throws NotFoundError when absent.
  Record get(std::string_view object, std::string_view id);
  /// Partial update of the given fields. With expected_version, throws ConflictError when the stored
  /// version differs (optimistic concurrency). Returns the new version.
  std::int64_t update(std::string_view object, std::string_view id, const Record& changes,
                      std::optional<std::int64_t> expected_version = std::nullopt);
  /// Deletes the record, following each lookup's delete behaviour for its children
  /// (cascade, set_null, or restrict -> Error(constraint)). Throws NotFoundError when absent.
  /// The record and those its cascade deletes go to the recycle bin (restore, purge). A pending
  /// approval of a deleted record is withdrawn (docs/service.md).
  void remove(std::string_view object, std::string_view id);
  /// Brings back a record from the recycle bin with its stored values, id and version, together
  /// with the records its delete cascaded to, and re-links the references the delete cleared
  /// (set_null) where they are still empty; roll-ups are recomputed, no workflow runs. Returns the
  /// number of records restored. Throws NotFoundError when the record is not in the bin,
  /// UsageError when it was deleted by the cascade of another record (restore that one),
  /// ConflictError when a unique value it held is now another record's, Error(constraint) when
  /// its parent is gone; nothing is restored then.
  std::int64_t restore(std::string_view object, std::string_view id);
  /// The recycle bin of the session's tenant, newest first; `object` empty lists every object.
  std::vector<DeletedRecord> recycle_bin(std::string_view object = {});
  /// Removes for good the bin entries of records deleted before `now - retention`; returns how
  /// many records were purged.
  std::int64_t purge(DateTime now, std::chrono::microseconds retention);

  /// Inserts many records in one transaction. abort: all or nothing (throws ValidationError with
  /// every problem, rows numbered); skip: inserts the valid rows and reports the others.
  ImportReport import_records(std::string_view object, const RecordBatch& batch,
                              const ImportOptions& options = {});
  /// Starts a bulk import fed in batches; `expected_rows` (or -1 when unknown) decides whether
  /// indexes are built at the end. options.on_progress is called after each batch.
  BulkImport begin_import(std::string_view object, std::int64_t expected_rows, const ImportOptions& options = {});

  QueryResult query(const Query& query);
  /// The same query, its result stored by column (typed contiguous buffers; see ResultColumn):
  /// what data frames and feature matrices are built from.
  ColumnarResult query_columns(const Query& query);
  /// The SQL a query runs and SQLite's plan for it ("-- SEARCH lead USING INDEX ..." lines).
  /// Engine-evaluated formula parts show as hotcrm_engine(...) calls.
  std::string explain(const Query& query);
  std::int64_t count(std::string_view object, const Filter& filter = Filter::all());
  /// Grouped aggregates: one row per group, group fields then aggregate aliases.
  QueryResult aggregate(const AggregateQuery& query);

  /// Compiles `source` against `object` without evaluating it: the result type, or diagnostics
  /// with line, column and caret. Never throws for bad formula text (SchemaError for an unknown object).
  CompileResult check_formula(std::string_view object, std::string_view source,
                              const CompileOptions& options = {}) const;
  /// Evaluates `source` for `record` (field name -> value; missing fields are null; lookup paths
  /// such as "account_id.industry" are read from the database through the record's lookups), with
  /// `prior` for ISCHANGED / PRIORVALUE (no prior: evaluated as an insert). NOW() is the database
  /// clock. Throws UsageError with the rendered diagnostics when the formula does not compile;
  /// runtime faults come back in EvalResult::error.
  EvalResult evaluate(std::string_view object, std::string_view source, const Record& record,
                      const std::optional<Record>& prior = std::nullopt, const CompileOptions& options = {});
  /// Re-checks every stored record of `object` against its active validation rules; one entry per
  /// violation, with record_id set. Rules are evaluated a whole batch of records at a time.
  std::vector<FieldError> validate_stored(std::string_view object);

  /// A feature matrix for scoring: one row per record matching `filter` (in insertion order), one
  /// column per feature. Each feature is a formula over the object (fields, lookup paths, functions,
  /// the session clock for TODAY()/NOW()) giving a number, currency, percent, boolean (1/0), date or
  /// datetime (days since 1970-01-01); blank results and runtime faults are NaN. Records are read a
  /// page at a time and each feature runs on the batch evaluator, so memory holds the matrix and one
  /// page, never a Value per cell of the table. Throws UsageError naming a feature that does not
  /// compile or has another type.
  FeatureMatrix features(std::string_view object, const std::vector<FeatureSpec>& features,
                         const Filter& filter = Filter::all());
  /// The same matrix streamed: `on_chunk` receives consecutive blocks of at most `chunk_rows` rows
  /// (each a FeatureMatrix of its own rows, reused between calls) and returns false to stop early.
  /// Memory holds one block whatever the number of records; returns the rows delivered. With no
  /// matching record, on_chunk receives one empty block (which still names the columns).
  std::size_t features_in_chunks(std::string_view object, const std::vector<FeatureSpec>& features, const Filter& filter,
                                 const std::function<bool(const FeatureMatrix&)>& on_chunk,
                                 std::size_t chunk_rows = 4096);

  // ---- Workflow (docs/workflow.md) ----

  /// Fires a state-machine event on a record: the first transition for `event` from its current
  /// state whose guard holds runs (exit actions, transition actions, entry actions, one update).
  /// Returns the new state. Throws UsageError when no transition allows the event (the record is
  /// unchanged) and SchemaError when the object has no state machine.
  std::string fire(std::string_view object, std::string_view id, std::string_view event);
  /// Runs everything due up to `now` in this tenant, in time order: time-trigger actions (dropped
  /// when their rule's condition no longer holds), state timeouts and scheduled-rule occurrences.
  /// Each item runs in its own transaction together with its removal from the queue, so after a
  /// crash a rerun executes each item exactly once. Actions run with the item's due time as NOW().
  RunReport run_due(DateTime now);
  /// Outbox messages in id order: pending ones by default, up to `limit`.
  std::vector<OutboxMessage> outbox(std::string_view status = "pending", std::int64_t limit = 1000);
  /// Marks messages delivered ("sent") or given up ("failed"); unknown ids are a NotFoundError.
  void ack(const std::vector<std::int64_t>& ids, std::string_view status = "sent");
  /// The execution log after sequence `after`, oldest first.
  std::vector<WorkflowLogEntry> workflow_log(std::int64_t after = 0, std::int64_t limit = 10'000);
  /// Timed actions waiting for run_due (all of this tenant, or those of one record).
  std::vector<PendingTimer> timers(std::string_view object = {}, std::string_view id = {});
  /// Registers the callback for custom actions named `name` (replacing an earlier one), for every
  /// session of this database. A custom action with no callback registered fails the write.
  void register_action(const std::string& name, ActionCallback callback);
  /// Shows what inserting `changes` (id empty) or updating record `id` with them would trigger:
  /// the resulting record, log, outbox messages and timers, computed for real and rolled back.
  /// Custom actions are not called (the log lists them). Validation problems throw as for a write.
  Simulation simulate(std::string_view object, std::string_view id, const Record& changes);

  /// The business calendar of a business_hours record of the standard support package: its time zone
  /// (option `europe_paris` is Europe/Paris), the enabled weekdays' start and end times, and, when it
  /// excludes holidays, the holidays of its holiday calendar (recurring yearly or not, whole days or
  /// partial closures). Throws NotFoundError, and UsageError naming the field for a malformed time.
  BusinessCalendar business_calendar(std::string_view business_hours_id);

  /// Converts a lead, atomically: an account (or the given one), a contact and optionally an
  /// opportunity (stage prospecting, closing in 30 days, amount 10 % of the lead's annual revenue),
  /// then marks the lead converted and links it to what it became. Each record runs its own save
  /// pipeline. Throws NotFoundError, WorkflowError when the lead is already converted, and the
  /// errors of the writes (nothing is kept).
  LeadConversion convert_lead(std::string_view lead_id, const LeadConversionOptions& options = {});

  // ---- Accountability (docs/security.md) ----

  /// The field history of a record of `object` in this tenant, oldest first: one entry per change
  /// of a tracked field (create, update, delete), also after the record is deleted. Values are
  /// typed by the field. Throws SchemaError for an unknown object; an unknown id has no entries.
  std::vector<HistoryEntry> history(std::string_view object, std::string_view id);
  /// Everything held about the person with this e-mail address (compared case-insensitively), as one
  /// JSON document: the records of this tenant holding it in an e-mail field (leads, contacts,
  /// candidates, employees, users, ...), the records pointing at them through lookups (cases, ...)
  /// or polymorphic references (`<x>_object` + `<x>_id`: activities, tasks, notes), the field
  /// history of all of these, deleted records' history included, and
  /// the engine's outbox messages and log entries about them. Logged as a gdpr_export audit entry.
  std::string export_person(std::string_view email);
  /// Anonymises the person with this e-mail address: the personal-data fields of the records
  /// export_person finds are cleared (a required one gets a placeholder), in the records and in
  /// their history entries, and the address is scrubbed from the outbox and workflow log. Other
  /// fields, the records themselves and roll-ups stay. Validation rules and workflows do not run
  /// for these writes. The history chain still verifies; a gdpr_erase audit entry lists what was
  /// erased. Throws UsageError for a blank address.
  ErasureReport erase_person(std::string_view email);
  // ---- Access control (docs/security.md) ----
  // The security model belongs to the session's tenant. Changing it takes a system session or an
  // administrator (else PermissionError); share / unshare take edit access to the record.

  /// Creates a role, or moves it under another `parent` (empty: the top). UsageError for an
  /// unknown parent or a cycle.
  void define_role(std::string_view role, std::string_view parent = {});
  /// Creates or replaces a user of the security model: its role and administrator flag.
  void set_user(const UserAccess& user);
  /// The user's entry, or nullopt.
  std::optional<UserAccess> user_access(std::string_view user);
  void add_to_group(std::string_view group, std::string_view user);
  void remove_from_group(std::string_view group, std::string_view user);
  /// Sets what `permission_set` allows on `object` (replacing its earlier grant for the object).
  void grant(std::string_view permission_set, std::string_view object, const ObjectPermissions& permissions);
  /// Field-level security: what `permission_set` allows on one field (see FieldPermissions).
  void grant_field(std::string_view permission_set, std::string_view object, std::string_view field,
                   const FieldPermissions& permissions);
  void assign_permission_set(std::string_view user, std::string_view permission_set);
  void revoke_permission_set(std::string_view user, std::string_view permission_set);
  /// The organisation-wide default of `object` (private until set). UsageError for a detail
  /// object (a master-detail child), whose access is its master's.
  void set_sharing_model(std::string_view object, SharingModel model);
  /// "Grant access using hierarchies" for `object` (on until set): when on, a user's managers up
  /// the role hierarchy get the access the user has as owner, through manual shares and through
  /// sharing rules; when off, only the role_and_subordinates grantees still reach below. UsageError
  /// for a detail object.
  void set_sharing_hierarchy(std::string_view object, bool grant_access_using_hierarchies);
  /// "Grant access using hierarchies" for the public group `group` (on until set): when off, what
  /// is shared with the group (shares and sharing rules, on every object) reaches its members
  /// only, not their managers. The per-object switch still applies on top.
  void set_group_hierarchy(std::string_view group, bool grant_access_using_hierarchies);
  /// Adds or replaces (by object and name) a criteria-based sharing rule; UsageError(parse) when
  /// the criteria are not a boolean formula over the object, UsageError for a detail object.
  void add_sharing_rule(const SharingRule& rule);
  void remove_sharing_rule(std::string_view object, std::string_view name);
  /// Shares one record with a grantee (replacing an earlier share with it). UsageError for a record
  /// of a detail object: share its master.
  void share(std::string_view object, std::string_view id, const Grantee& grantee,
             ShareAccess access = ShareAccess::read);
  void unshare(std::string_view object, std::string_view id, const Grantee& grantee);
  /// The manual shares of a record.
  std::vector<RecordShare> shares(std::string_view object, std::string_view id);
  /// What this session's user may do with `object` (bypass for system sessions and administrators).
  EffectiveAccess access(std::string_view object);

  // Approval processes (docs/service.md). The acting user (SessionContext::user) submits and
  // recalls; approve and reject name the approver (empty: the acting user). Each call is one
  // transaction; a refused call (not pending, not an approver, no process applies, a step with no
  // approver) throws WorkflowError and changes nothing.

  /// Submits a record to the first active approval process (by order) whose entry criteria it
  /// meets, or to `process` when named. The first step whose criteria hold becomes pending (no step
  /// applies: the record is approved at once).
  ApprovalState submit_for_approval(std::string_view object, std::string_view id, std::string_view comment = {},
                                    std::string_view process = {});
  /// Records an approval of the pending step: the next applicable step becomes pending (first
  /// response, or once every approver of a unanimous step approved), or the record is approved.
  ApprovalState approve(std::string_view object, std::string_view id, std::string_view approver = {},
                        std::string_view comment = {});
  /// Records a rejection: final, or back to the previous applicable step (on_reject "back").
  ApprovalState reject(std::string_view object, std::string_view id, std::string_view approver = {},
                       std::string_view comment = {});
  /// Withdraws a pending request (the submitter, or the system user).
  ApprovalState recall(std::string_view object, std::string_view id, std::string_view comment = {});
  /// The record's latest approval request with its history, or nullopt when it was never submitted.
  std::optional<ApprovalState> approval(std::string_view object, std::string_view id);
  /// The pending requests waiting on `approver`, oldest first.
  std::vector<ApprovalState> approval_queue(std::string_view approver);

  /// Runs the object's assignment rules for a stored record now (ignoring their condition) and
  /// writes the result; returns the user assigned (empty when the record went to a queue only).
  /// Throws WorkflowError when no entry matches.
  std::string assign(std::string_view object, std::string_view id);

  /// The record's SLA milestones: target, deadline, business time used, state. Throws
  /// NotFoundError for an unknown id, SchemaError when the object has no SLA.
  std::vector<SlaClock> sla(std::string_view object, std::string_view id);

  /// Runs fn inside one transaction (nested calls join the outer one, through savepoints):
  /// committed when fn returns, rolled back when it throws.
  void transaction(const std::function<void()>& fn);
  /// Begins a transaction explicitly (for callers that cannot pass a callback, such as a Python
  /// `with` block). Nested begins become savepoints.
  Transaction begin();

  // Typed access through structs generated from the catalog (<hotcrm/catalog/crm.hpp>, or
  // `hotcrm codegen`; docs/codegen.md): the object is T::object_name and values go through
  // to_record / T::from_record, so a misspelt field or picklist option does not compile.

  /// Inserts the members that hold a value; returns the new id.
  template <TypedObject T>
  std::string insert(const T& object) {
    return insert(T::object_name, to_record(object));
  }
  /// The record as a T, or nullopt.
  template <TypedObject T>
  std::optional<T> find(std::string_view id) {
    auto record = find(T::object_name, id);
    if (!record) return std::nullopt;
    return T::from_record(*record);
  }
  /// The record as a T; throws NotFoundError when absent.
  template <TypedObject T>
  T get(std::string_view id) {
    return T::from_record(get(T::object_name, id));
  }
  /// Updates the record `object.id` with the members that hold a value (an empty member leaves the
  /// field unchanged; clear a field with the generic update and a null). Returns the new version.
  template <TypedObject T>
  std::int64_t update(const T& object, std::optional<std::int64_t> expected_version = std::nullopt) {
    if (!object.id)
      throw UsageError(ErrorCode::usage, std::string(T::object_name) + " has no id: update a record read with get, "
                                                                        "find or query");
    return update(T::object_name, *object.id, to_record(object), expected_version);
  }
  /// Runs `query` on T's object (query.object may be empty) and returns the rows as T.
  template <TypedObject T>
  std::vector<T> query(Query request = {}) {
    if (request.object.empty()) request.object = T::object_name;
    if (request.object != T::object_name)
      throw UsageError(ErrorCode::usage,
                       "a query of " + request.object + " cannot give " + std::string(T::object_name) + " records");
    return rows_as<T>(query(static_cast<const Query&>(request)));
  }

  struct Impl;  ///< opaque state, defined inside the library

 protected:
  friend class Database;
  friend struct SessionInternals;
  friend class ModelRegistry;
  Session(std::shared_ptr<Impl> impl, SessionContext context)
      : impl_(std::move(impl)), context_(std::move(context)) {}
  std::shared_ptr<Impl> impl_;
  SessionContext context_;
};

/// An open database. It is also the default Session (user "system", tenant "default").
class Database : public Session {
 public:
  /// Opens (and creates, migrates) a database file, or ":memory:".
  static Database open(const std::filesystem::path& path, OpenOptions options = {});
  /// Plans the migration from the stored schema to `catalog` without writing anything.
  static MigrationReport plan_migration(const std::filesystem::path& path, const Catalog& catalog,
                                        bool allow_destructive = false);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  /// A session acting for another user / tenant on this database. With tenant_files, the session
  /// works on the tenant's own file (opened, and created unless read-only, on first use); a tenant
  /// name that is not a valid file name is a UsageError.
  Session session(SessionContext context) const;
  /// What opening this database did to its schema (tenant_files: to every tenant file, each step
  /// prefixed "tenant T: ").
  const MigrationReport& migration() const;
  /// The database file, or the tenant directory.
  const std::filesystem::path& path() const;
  StoreLayout layout() const noexcept;
  /// The tenants holding data, sorted: single_file, the distinct tenant_id of the object tables;
  /// tenant_files, the tenant files of the directory. Cross-tenant work (run_due for everyone, an
  /// export of each tenant) loops over these with db.session(...): the same code in both layouts.
  std::vector<std::string> tenants();
  /// Closes the connection (tenant_files: every tenant's); later calls, of this Database and of
  /// its sessions, throw UsageError. Called by the destructor.
  void close();

  /// (tenant_files: verify_history and backup work on the file of the Database's own tenant,
  /// OpenOptions::tenant; each tenant file is also a database of its own for Database::open.)
  /// Recomputes the field history's hash chain from the first entry: every entry must follow its
  /// predecessor (sequence without gaps, hash of the previous hash and its own content), and every
  /// erased entry must be listed, with its anonymised values, by a later gdpr_erase entry. Reports
  /// the first entry that fails. Truncating the newest entries is found only against a head hash
  /// kept elsewhere (HistoryVerification::head).
  HistoryVerification verify_history();
  /// Copies the database into `destination` with SQLite's online backup API, a slice of pages at a
  /// time from one read snapshot: writers (other threads and processes) are not blocked, and the
  /// copy holds exactly the transactions committed when it started. The copy is written beside
  /// the destination and renamed into place when complete. Throws UsageError when the destination
  /// exists (unless options.overwrite) and StoreError / Error(io) when copying fails.
  void backup(const std::filesystem::path& destination, const BackupOptions& options = {});
  /// Key rotation: re-seals, with the provider's current key, every stored value of every
  /// encrypted field (all tenants) that an older key sealed, in one transaction; returns how many.
  /// Values keep their records' version and write no history entry (the clear value is unchanged);
  /// history entries keep the key that sealed them, so retired keys stay needed to read old ones.
  std::int64_t reencrypt();

 private:
  using Session::Session;
  std::shared_ptr<detail::TenantDirectory> tenant_files_;  ///< set with StoreLayout::tenant_files
};

}  // namespace v0
}  // namespace hotcrm
