#pragma once
// SQL for the read path: a filter tree (comparisons and boolean formulas) compiled into a WHERE
// clause with bound parameters over one object's table and the LEFT JOINs its lookup paths need.
// Every identifier comes from the catalog; every value is a bound parameter.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hotcrm/store/access.hpp"
#include "hotcrm/store/query.hpp"
#include "store/impl.hpp"

namespace hotcrm::detail {

class AccessScope;
class EngineFormula;

/// A resolved field reference: the SQL expression and the field that types it.
struct Column {
  std::string sql;
  const FieldDef* field = nullptr;
  const Formula* formula = nullptr;  ///< a formula field: computed from the full row, not selected
};

/// One bound positional parameter: the value and the field that decides its encoding.
struct Parameter {
  const FieldDef* field = nullptr;  ///< nullptr: bind as plain text / integer / real / null
  Value value;
};

class SqlBuilder {
 public:
  /// Rows of `plan` in `tenant`; when the call in progress acts for a user (detail::AccessScope),
  /// only the records the user may read: the condition is part of the WHERE clause, and lookup
  /// joins reach only parents the user may read (others read as null).
  SqlBuilder(Session::Impl& impl, const ObjectPlan& plan, const std::string& tenant, DateTime now);
  /// The same with an explicit scope (nullptr: system); `level` edit keeps only the records the
  /// user may edit (which it may also read).
  SqlBuilder(Session::Impl& impl, const ObjectPlan& plan, const std::string& tenant, DateTime now, AccessScope* access,
             ShareAccess level = ShareAccess::read);
  ~SqlBuilder();
  SqlBuilder(const SqlBuilder&) = delete;
  SqlBuilder& operator=(const SqlBuilder&) = delete;

  /// The column of a stored field or lookup path; throws UsageError for unknown fields and for
  /// formula fields (which have no column).
  Column resolve(const std::string& path);
  /// resolve() for a use that needs the value inside SQL (`use`: "filter on", "sort by", "group by",
  /// "aggregate"): refuses an encrypted field, whose column holds only ciphertext.
  Column resolve_clear(const std::string& path, std::string_view use);
  /// Like resolve(), but nullopt where the path ends at (or goes through) a formula field.
  std::optional<Column> try_resolve(const std::string& path);
  /// An SQL expression with the value of any path, formula fields included: the column where
  /// there is one, otherwise the engine computes it per row (for ORDER BY).
  std::string value_expression(const std::string& path);

  /// ANDs `filter` into the WHERE clause.
  void add_filter(const Filter& filter);
  /// ANDs a condition already built (its parameters already added) into the WHERE clause.
  void add_sql_condition(const std::string& condition) { where_ += " AND (" + condition + ")"; }

  /// While alive, the builder works as system: every field resolves, joins are not restricted and
  /// engine-evaluated formulas read as system (sharing-rule criteria, which are the administrator's).
  class SystemSection {
   public:
    explicit SystemSection(SqlBuilder& builder) : builder_(builder) { ++builder_.system_depth_; }
    ~SystemSection() { --builder_.system_depth_; }
    SystemSection(const SystemSection&) = delete;
    SystemSection& operator=(const SystemSection&) = delete;

   private:
    SqlBuilder& builder_;
  };
  SystemSection system_section() { return SystemSection(*this); }
  /// True when no user's access applies (a system call, or inside a SystemSection).
  bool system_mode() const noexcept { return access_ == nullptr || system_depth_ > 0; }
  /// The user's scope, or nullptr in system mode.
  AccessScope* access() const noexcept { return system_mode() ? nullptr : access_; }
  /// Adds a parameter for the next `?` of a condition being built (in text order).
  void add_parameter(Parameter parameter) { parameters_.push_back(std::move(parameter)); }
  /// Registers an engine-evaluated formula kept alive as long as the builder; returns the SQL call
  /// (its handle is a named parameter, bound by bind_all wherever the call appears).
  std::string engine_call(std::unique_ptr<EngineFormula> engine);

  /// An SQL condition true when `column` (of this builder's statement) holds the id of a record of
  /// `plan` that the user may access at `level`: a subquery carrying the parent's own visibility,
  /// its parameters added in text order; "" when every record of the tenant qualifies. A chain of
  /// such conditions deeper than the lookup limit (a master-detail cycle) grants nothing.
  std::string accessible_ids(const std::string& column, const ObjectPlan& plan, ShareAccess level);
  /// Notes that the WHERE clause already keeps only rows whose `field` (a master-detail field of
  /// the root) points at a record the user may read: a join through it needs no visibility of its own.
  void note_visible_master(const std::string& field) { visible_masters_.push_back(field); }

  std::string from_clause() const;
  const std::string& where() const { return where_; }
  const ObjectPlan& root() const noexcept { return root_; }
  Session::Impl& impl() const noexcept { return impl_; }
  DateTime now() const noexcept { return now_; }
  const std::string& tenant() const noexcept { return tenant_; }
  /// Positional parameters so far; a translation that gives up truncates back to its mark.
  std::size_t parameter_count() const noexcept { return parameters_.size(); }
  void truncate_parameters(std::size_t count) { parameters_.resize(count); }

  /// Join parameters precede the WHERE parameters in the SQL text.
  std::vector<Parameter> ordered_parameters() const;
  void bind_all(Statement& statement, const std::vector<Parameter>& extra = {}) const;

 private:
  /// A builder for a subquery over `plan` inside this one (sharing the engine calls), restricted to
  /// the records the user may access at `level`.
  SqlBuilder(SqlBuilder& outer, const ObjectPlan& plan, ShareAccess level);
  /// The subquery of `plan`'s ids accessible at `level`, its parameters appended to `out`; "" for all.
  std::string nested_subquery(const ObjectPlan& plan, ShareAccess level, std::vector<Parameter>& out);
  std::string join(const std::string& path, const std::string& from_alias, const FieldDef& field);
  Value literal(const Column& column, const Value& value, const std::string& path);
  Parameter parameter_for(const Column& column, const Value& value);
  std::string compile(const Filter& filter, std::int64_t& nodes);
  std::string compile_compare(const Filter& filter);
  std::string compile_formula_filter(const std::string& source);
  /// UsageError(unknown_field) for a field hidden from the user, worded as for a missing field.
  void check_visible(const ObjectDef& object, const std::string& name, const std::string& path) const;

  Session::Impl& impl_;
  const ObjectPlan& root_;
  std::string tenant_;
  DateTime now_;
  std::string joins_;
  std::vector<Parameter> join_parameters_;
  AccessScope* access_ = nullptr;
  int system_depth_ = 0;
  SqlBuilder* engine_owner_ = this;  ///< where engine calls are registered (the outermost builder)
  int nesting_ = 0;                  ///< how many visibility subqueries this builder sits in
  std::vector<std::string> visible_masters_;  ///< see note_visible_master
  std::vector<std::unique_ptr<SqlBuilder>> nested_;  ///< visibility subqueries of joined parents
  std::string where_;
  std::vector<Parameter> parameters_;
  std::map<std::string, std::string> aliases_;
  std::vector<std::unique_ptr<EngineFormula>> engines_;
};

/// Compiles a boolean formula filter into SQL: the conjuncts SQL can express become SQL with bound
/// parameters, the rest one engine call. Throws UsageError(parse) with rendered diagnostics when the
/// formula does not compile.
std::string formula_filter_sql(SqlBuilder& builder, const std::string& source);
/// The formula text equivalent to a comparison filter (for fields that have no column).
std::string formula_source_of(const Filter& compare);
/// Registers the engine's SQL functions on a connection.
void register_engine_functions(Connection& connection);

}  // namespace hotcrm::detail
