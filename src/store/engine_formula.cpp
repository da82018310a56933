#include "store/engine_formula.hpp"

#include <nlohmann/json.hpp>

#include "hotcrm/error.hpp"
#include "store/codec.hpp"
#include "store/sql_builder.hpp"

namespace hotcrm::detail {

std::unique_ptr<EngineFormula> EngineFormula::condition(Session::Impl& impl, const ObjectPlan& plan,
                                                        const std::string& tenant, DateTime now, Formula formula,
                                                        std::vector<std::uint32_t> nodes, AccessScope* access) {
  std::unique_ptr<EngineFormula> engine(new EngineFormula(impl, plan, tenant, now, access));
  engine->formula_ = std::move(formula);
  engine->nodes_ = std::move(nodes);
  return engine;
}

std::unique_ptr<EngineFormula> EngineFormula::value_of(Session::Impl& impl, const ObjectPlan& plan,
                                                       const std::string& tenant, DateTime now, std::string path,
                                                       AccessScope* access) {
  std::unique_ptr<EngineFormula> engine(new EngineFormula(impl, plan, tenant, now, access));
  engine->path_ = std::move(path);
  return engine;
}

namespace {
/// A value as SQLite sorts it: numbers (decimals too) as numbers, dates as their integer encoding.
void set_result(sqlite3_context* context, const Value& value) {
  switch (value.kind()) {
    case ValueKind::null: sqlite3_result_null(context); return;
    case ValueKind::boolean: sqlite3_result_int64(context, value.as_bool() ? 1 : 0); return;
    case ValueKind::integer: sqlite3_result_int64(context, value.as_int()); return;
    case ValueKind::real: sqlite3_result_double(context, value.as_double()); return;
    case ValueKind::decimal: sqlite3_result_double(context, value.as_decimal().to_double()); return;
    case ValueKind::date: sqlite3_result_int64(context, value.as_date().days); return;
    case ValueKind::datetime: sqlite3_result_int64(context, value.as_datetime().micros); return;
    case ValueKind::list: {
      auto text = nlohmann::json(value.as_list()).dump();
      sqlite3_result_text(context, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      return;
    }
    case ValueKind::text:
    case ValueKind::id: {
      const auto& text = value.as_string();
      sqlite3_result_text(context, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      return;
    }
  }
  sqlite3_result_null(context);
}
}  // namespace

void EngineFormula::call(sqlite3_context* context, int argc, sqlite3_value** argv) {
  if (static_cast<std::size_t>(argc) != plan_.columns.size() + 1) {
    sqlite3_result_error(context, "hotcrm_engine: wrong number of columns", -1);
    return;
  }
  row_.resize(plan_.columns.size());
  for (std::size_t c = 0; c < plan_.columns.size(); ++c) row_[c] = read_value(argv[c + 1], *plan_.columns[c], cipher_);
  if (!formula_) {
    set_result(context, resolver_.resolve(plan_, row_, path_));
    return;
  }
  for (std::uint32_t node : nodes_) {
    auto result = resolver_.evaluate_node(plan_, row_, nullptr, *formula_, node);
    if (!result.ok() || result.value.kind() != ValueKind::boolean || !result.value.as_bool()) {
      sqlite3_result_int(context, 0);
      return;
    }
  }
  sqlite3_result_int(context, 1);
}

namespace {
void engine_function(sqlite3_context* context, int argc, sqlite3_value** argv) {
  auto* engine = argc > 0 ? static_cast<EngineFormula*>(sqlite3_value_pointer(argv[0], EngineFormula::pointer_type))
                          : nullptr;
  if (engine == nullptr) {
    sqlite3_result_error(context, "hotcrm_engine: called without a formula handle", -1);
    return;
  }
  // No exception may cross SQLite's C frames.
  try {
    engine->call(context, argc, argv);
  } catch (const std::exception& e) {
    sqlite3_result_error(context, e.what(), -1);
  } catch (...) {
    sqlite3_result_error(context, "hotcrm_engine: unknown failure", -1);
  }
}
}  // namespace

void register_engine_functions(Connection& connection) {
  int rc = sqlite3_create_function_v2(connection.handle(), EngineFormula::sql_function_name, -1, SQLITE_UTF8, nullptr,
                                      engine_function, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw StoreError(ErrorCode::store, "cannot register the formula engine with SQLite");
}

}  // namespace hotcrm::detail
