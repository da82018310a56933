// Database lifecycle (open, migrate, close) and the per-object SQL plans.
#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "store/access.hpp"
#include "store/codec.hpp"
#include "store/field_cipher.hpp"
#include "store/history.hpp"
#include "store/recycle_bin.hpp"
#include "store/impl.hpp"
#include "store/rollups.hpp"
#include "store/schema_sync.hpp"
#include "store/sql_builder.hpp"
#include "store/tenant_directory.hpp"
#include "workflow/engine.hpp"

namespace hotcrm {
inline namespace v0 {

Clock system_clock() {
  return [] {
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return DateTime{std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count()};
  };
}

Clock fixed_clock(DateTime at) {
  return [at] { return at; };
}

std::int64_t ImportReport::rejected_rows() const noexcept {
  std::int64_t count = 0;
  std::int64_t last = -2;
  for (const auto& error : rejected)
    if (error.row != last) {
      ++count;
      last = error.row;
    }
  return count;
}

}  // namespace v0
}  // namespace hotcrm

namespace hotcrm::detail {

namespace {
std::uint64_t splitmix(std::uint64_t state) {
  std::uint64_t z = state + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

constexpr char kBase32[] = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford: no i, l, o, u
constexpr std::uint64_t kSequenceMask = (1ULL << 35) - 1;           // 7 base32 digits

void append_base32(std::string& out, std::uint64_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) out += kBase32[(value >> (i * 5)) & 31];
}
}  // namespace

// The sequence starts in the lower half of its range so it cannot wrap within one millisecond.
IdGenerator::IdGenerator(std::uint64_t seed) : sequence_(splitmix(seed) & (kSequenceMask >> 1)) {}

std::string IdGenerator::next(DateTime now) {
  std::int64_t millis = std::max<std::int64_t>(0, now.micros / 1000);
  // A clock that steps back must not make ids go back: keep the last time seen.
  if (millis < last_millis_) millis = last_millis_;
  last_millis_ = millis;
  sequence_ = (sequence_ + 1) & kSequenceMask;
  std::string id;
  id.reserve(17);
  append_base32(id, static_cast<std::uint64_t>(millis), 10);
  append_base32(id, sequence_, 7);
  return id;
}

namespace {
std::string join_columns(const ObjectPlan& plan, const std::string& prefix) {
  std::string list;
  for (const auto* field : plan.columns) list += (list.empty() ? "" : ", ") + prefix + quote(field->name);
  return list;
}
}  // namespace

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

detail::Connection& Session::Impl::db() {
  if (!connection) throw UsageError(ErrorCode::usage, unavailable.empty() ? "the database is closed" : unavailable);
  return *connection;
}

const detail::ObjectPlan& Session::Impl::plan(std::string_view object) const {
  if (!connection) throw UsageError(ErrorCode::usage, unavailable.empty() ? "the database is closed" : unavailable);
  auto it = plans.find(std::string(object));
  if (it == plans.end()) throw SchemaError(ErrorCode::unknown_object, "unknown object '" + std::string(object) + "'");
  return it->second;
}

void Session::Impl::build_plans() {
  plans.clear();
  for (const auto& object : catalog.objects()) {
    detail::ObjectPlan plan;
    plan.object = &object;
    for (const auto& field : system_fields()) plan.columns.push_back(&field);
    for (const auto& field : object.fields)
      if (field.is_stored()) plan.columns.push_back(&field);
    for (std::size_t i = 0; i < plan.columns.size(); ++i)
      plan.column_index.emplace(plan.columns[i]->name, static_cast<int>(i));
    std::string parameter_marks;
    for (std::size_t i = 0; i < plan.columns.size(); ++i) parameter_marks += i ? ", ?" : "?";
    plan.insert_sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", detail::quote(object.name),
                                  detail::join_columns(plan, ""), parameter_marks);
    plan.select_list = detail::join_columns(plan, "t0.");
    plan.select_by_id_sql = fmt::format("SELECT {} FROM {} AS t0 WHERE t0.\"id\" = ? AND t0.\"tenant_id\" = ?",
                                        plan.select_list, detail::quote(object.name));
    plans.emplace(object.name, std::move(plan));
  }
  for (const auto& child : catalog.objects())
    for (const auto& field : child.fields)
      if (field.is_reference()) plans.at(field.reference).referrers.emplace_back(&child, &field);
  compile_formulas();
  mark_cascade_follow_ups();
}

void Session::Impl::mark_cascade_follow_ups() {
  // A fixpoint over the lookup graph (which may have cycles): an object needs follow-up when a
  // child it cascades to acts on delete or needs follow-up itself, or when a child it detaches
  // feeds roll-ups of other parents.
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& [name, plan] : plans) {
      if (plan.cascade_follow_up) continue;
      for (const auto& [child, field] : plan.referrers) {
        const auto& child_plan = plans.at(child->name);
        const bool follow_up =
            field->on_delete == DeleteBehavior::cascade ? child_plan.acts_when_cascaded(*field) || child_plan.cascade_follow_up
            : field->on_delete == DeleteBehavior::set_null ? child_plan.feeds_besides(*field)
                                                            : false;
        if (follow_up) {
          plan.cascade_follow_up = changed = true;
          break;
        }
      }
    }
  }
}

void Session::Impl::require_writable() const {
  if (read_only) throw UsageError(ErrorCode::usage, "the database is opened read-only");
}

DateTime Session::Impl::now() {
  return workflow_runtime && workflow_runtime->pinned_now ? *workflow_runtime->pinned_now : clock();
}

void Session::Impl::compile_formulas() {
  // The catalog already checked that these compile; a failure here is a broken invariant.
  auto compile = [&](const ObjectDef& object, const std::string& source, CompileOptions options) {
    auto compiled = compile_formula(catalog, object.name, source, options);
    if (!compiled.ok()) throw Error(ErrorCode::internal, "formula of " + object.name + " stopped compiling: " + source);
    return *compiled.formula;
  };
  for (auto& [name, plan] : plans) {
    for (const auto& rule : plan.object->validation_rules)
      if (rule.active) plan.rules.emplace_back(&rule, compile(*plan.object, rule.condition, {.expected = FormulaType::boolean}));
    for (const auto& field : plan.object->fields)
      if (field.type == FieldType::formula) plan.formula_fields.emplace_back(&field, compile(*plan.object, field.expression, {}));
    for (const auto& field : plan.object->fields)
      if (field.default_value && field.default_value->kind == DefaultValue::Kind::formula)
        plan.default_formulas.emplace_back(
            &field, compile(*plan.object, field.default_value->formula, {.expected = default_formula_type(field)}));
  }
  for (auto& [name, plan] : plans) {
    auto note_slots = [&plan](const Formula& formula) {
      std::vector<int> columns;
      for (const auto& input : formula.fields()) {
        auto it = plan.column_index.find(input);
        columns.push_back(it == plan.column_index.end() ? -1 : it->second);
      }
      plan.slot_columns.emplace(&formula.impl(), std::move(columns));
    };
    for (const auto& [rule, formula] : plan.rules) note_slots(formula);
    for (const auto& [field, formula] : plan.formula_fields) note_slots(formula);
    for (const auto& [field, formula] : plan.default_formulas) note_slots(formula);
  }
  // Roll-ups: each child plan learns which parent fields its records feed (after every formula
  // field is compiled, since a roll-up may sum one).
  for (auto& [name, parent] : plans) {
    for (const auto& field : parent.object->fields) {
      if (!field.rollup) continue;
      auto& child = plans.at(field.rollup->object);
      detail::RollupFeed feed;
      feed.parent = &parent;
      feed.target = &field;
      feed.rollup = &*field.rollup;
      feed.via_column = child.column_index.at(field.rollup->via);
      if (auto it = child.column_index.find(field.rollup->field); it != child.column_index.end()) feed.field_column = it->second;
      for (const auto& [formula_field, formula] : child.formula_fields)
        if (formula_field->name == field.rollup->field) feed.field_formula = &formula;
      if (!field.rollup->filter.empty())
        feed.filter = compile(*child.object, field.rollup->filter, {.expected = FormulaType::boolean});
      child.rollup_feeds.push_back(std::move(feed));
    }
  }
  detail::compile_workflows(*this);
}

namespace {

std::uint64_t draw_seed(std::uint64_t requested, std::string_view seed_tenant) {
  if (requested != 0) {
    // Files of one tenant directory opened with the same fixed seed must not replay each other's ids.
    std::uint64_t mixed = requested;
    for (char c : seed_tenant) mixed = (mixed ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
    return mixed == 0 ? 1 : mixed;
  }
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

void configure_connection(detail::Connection& connection, const std::string& path, const OpenOptions& options) {
  if (path != ":memory:" && !options.read_only) connection.exec("PRAGMA journal_mode = WAL");
  // temp_store stays FILE (the default): SQLite's sorter writes runs, and sorts them on helper
  // threads, only when it may spill; small temporaries stay in memory either way.
  connection.exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = FILE");
  connection.exec(fmt::format("PRAGMA cache_size = {}", -std::int64_t{std::max(1, options.cache_size_mb)} * 1024));
  // Index builds after large imports (and big ORDER BYs) sort with helper threads.
  connection.exec(fmt::format("PRAGMA threads = {}", std::clamp(std::thread::hardware_concurrency(), 1u, 4u)));
}

std::string describe(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += "\n  " + item;
  return text;
}

}  // namespace

}  // namespace v0
}  // namespace hotcrm

namespace hotcrm::detail {

std::shared_ptr<Session::Impl> open_store_file(const std::filesystem::path& path, const OpenOptions& options,
                                               std::string_view seed_tenant) {
  using Impl = Session::Impl;
  auto impl = std::make_shared<Impl>();
  impl->path = path;
  impl->read_only = options.read_only;
  impl->busy_timeout_ms = options.busy_timeout_ms;
  impl->clock = options.clock ? options.clock : system_clock();
  impl->ids = detail::IdGenerator(draw_seed(options.id_seed, seed_tenant));
  impl->connection = std::make_unique<detail::Connection>(path.string(), options.read_only, options.create,
                                                          options.busy_timeout_ms);
  auto& connection = *impl->connection;
  connection.set_cipher(std::make_shared<detail::FieldCipher>(options.keys));
  configure_connection(connection, path.string(), options);
  detail::register_engine_functions(connection);

  auto stored = detail::read_stored_catalog(connection);
  impl->catalog = options.catalog ? *options.catalog : (stored ? *stored : Catalog::standard());
  const Catalog& target = impl->catalog;
  // The plans need only the catalog: the migration below uses them to recompute roll-ups.
  impl->build_plans();
  const bool differs = !stored || stored->to_json() != target.to_json();
  // A file of an older format written by this library gets its schema brought up to date too.
  const bool outdated = stored && !options.read_only && detail::stored_format_version(connection) < detail::kFormatVersion;
  if (differs || outdated) {
    if (options.read_only)
      throw UsageError(ErrorCode::usage, stored ? "the catalog differs from the stored one, but the database is read-only"
                                                : "the database is not initialised, and it is opened read-only");
    auto plan = detail::plan_schema(connection, stored, target, options.allow_destructive);
    if (!plan.refused.empty())
      throw SchemaError(ErrorCode::schema_conflict,
                        "the catalog would lose data; reopen with allow_destructive to accept:" + describe(plan.refused));
    if (stored && differs && plan.steps.empty()) plan.steps.push_back("update the stored catalog (metadata only: no schema change)");
    // Roll-ups that are new or changed get their values from the existing children, in the
    // migration's transaction: campaign.actual_revenue once opportunities carry a campaign.
    detail::apply_schema(connection, plan, target, [&] {
      const DateTime now = impl->clock();
      for (const auto& [object, field] : plan.rollups) detail::recompute_rollup_everywhere(*impl, now, object, field);
    });
    impl->migration.steps = std::move(plan.steps);
  }
  if (!options.read_only) {
    detail::create_workflow_tables(connection);
    detail::create_history_table(connection);
    detail::create_access_tables(connection);
    detail::create_recycle_bin_table(connection);
    detail::mark_format_version(connection);
  }
  if (!options.read_only) detail::install_history(*impl);
  return impl;
}

void close_store_file(Session::Impl& impl) {
  std::lock_guard lock(impl.mutex);
  impl.plans.clear();
  impl.connection.reset();
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

Database Database::open(const std::filesystem::path& path, OpenOptions options) {
  if (options.tenant.empty())
    throw UsageError(ErrorCode::usage, "OpenOptions::tenant is empty: the database's own session needs a tenant");
  if (options.layout == StoreLayout::tenant_files) {
    auto directory = detail::open_tenant_directory(path, std::move(options));
    Database database(directory->own, SessionContext{.user = "system", .tenant = directory->own_tenant});
    database.tenant_files_ = std::move(directory);
    return database;
  }
  auto impl = detail::open_store_file(path, options);
  return Database(std::move(impl), SessionContext{.user = "system", .tenant = options.tenant});
}

MigrationReport Database::plan_migration(const std::filesystem::path& path, const Catalog& catalog,
                                         bool allow_destructive) {
  detail::Connection connection(path.string(), true, false, 5000);
  auto stored = detail::read_stored_catalog(connection);
  auto plan = detail::plan_schema(connection, stored, catalog, allow_destructive);
  MigrationReport report;
  report.steps = std::move(plan.steps);
  for (const auto& refused : plan.refused) report.steps.push_back("REFUSED (destructive): " + refused);
  return report;
}

Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() { close(); }

Session Database::session(SessionContext context) const {
  if (context.tenant.empty()) throw UsageError(ErrorCode::usage, "a session needs a tenant");
  if (tenant_files_) {
    auto impl = detail::tenant_file(*tenant_files_, context.tenant);
    return Session(std::move(impl), std::move(context));
  }
  return Session(impl_, std::move(context));
}

const MigrationReport& Database::migration() const {
  return tenant_files_ ? tenant_files_->migration : impl_->migration;
}
const std::filesystem::path& Database::path() const { return tenant_files_ ? tenant_files_->path : impl_->path; }
StoreLayout Database::layout() const noexcept {
  return tenant_files_ ? StoreLayout::tenant_files : StoreLayout::single_file;
}

std::vector<std::string> Database::tenants() {
  if (tenant_files_) return detail::list_tenant_files(tenant_files_->path);
  std::lock_guard lock(impl_->mutex);
  return detail::stored_tenants(*impl_);
}

void Database::close() {
  if (tenant_files_) detail::close_tenant_directory(*tenant_files_);
  if (impl_) detail::close_store_file(*impl_);
}

const Catalog& Session::catalog() const { return impl_->catalog; }

struct Transaction::State {
  std::shared_ptr<Session::Impl> impl;
  std::unique_lock<std::recursive_mutex> lock;
  std::unique_ptr<detail::Transaction> transaction;
};

Transaction::Transaction(std::unique_ptr<State> state) : state_(std::move(state)) {}
Transaction::Transaction(Transaction&&) noexcept = default;
Transaction& Transaction::operator=(Transaction&&) noexcept = default;
Transaction::~Transaction() = default;  // the detail::Transaction rolls back, then the lock is released

bool Transaction::active() const noexcept { return state_ && state_->transaction; }

void Transaction::commit() {
  if (!active()) throw UsageError(ErrorCode::usage, "the transaction is not active");
  auto state = std::move(state_);  // finished whatever happens: a failed commit rolls back
  state->transaction->commit();
}

void Transaction::rollback() {
  if (!active()) throw UsageError(ErrorCode::usage, "the transaction is not active");
  state_.reset();
}

Transaction Session::begin() {
  auto state = std::make_unique<Transaction::State>();
  state->impl = impl_;
  state->lock = std::unique_lock(impl_->mutex);
  state->transaction = std::make_unique<detail::Transaction>(impl_->db());
  return Transaction(std::move(state));
}

void Session::transaction(const std::function<void()>& fn) {
  std::lock_guard lock(impl_->mutex);
  detail::Transaction transaction(impl_->db());
  fn();
  transaction.commit();
}

}  // namespace v0
}  // namespace hotcrm
