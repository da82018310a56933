// Executing workflow actions, and the journal tables they write (log, outbox, timers).
#include "workflow/actions.hpp"

#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "model/coerce.hpp"
#include "scoring/row_scoring.hpp"
#include "store/codec.hpp"
#include "store/rows.hpp"
#include "store/sqlite.hpp"

namespace hotcrm::detail {

namespace {

constexpr int kIdColumn = 0;

nlohmann::json value_json(const Value& value) { return nlohmann::json::parse(value.to_json()); }

/// A field's value as the workflow log shows it: an encrypted field's value never in clear.
nlohmann::json logged_value(const FieldDef* field, const Value& value) {
  if (field != nullptr && field->encrypted && !value.is_null()) return "[encrypted]";
  return value_json(value);
}

std::string text_of(const Value& value) { return value.is_null() ? std::string() : value.to_display(); }

}  // namespace

std::string field_text(const Record& record, const std::string& field) {
  auto it = record.find(field);
  return it == record.end() ? std::string() : text_of(it->second);
}

Record row_to_record(const ObjectPlan& plan, const std::vector<Value>& row) {
  Record record;
  for (std::size_t c = 0; c < plan.columns.size(); ++c) record.emplace(plan.columns[c]->name, row[c]);
  return record;
}

void append_log(Session::Impl& impl, const std::string& tenant, DateTime at, const std::string& object,
                const std::string& record_id, const std::string& source, const std::string& action,
                const nlohmann::json& detail) {
  auto& statement = impl.db().prepare(
      "INSERT INTO _hotcrm_workflow_log (tenant_id, at, object, record_id, source, action, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  statement.bind_text(1, tenant);
  statement.bind_int(2, at.micros);
  statement.bind_text(3, object);
  statement.bind_text(4, record_id);
  statement.bind_text(5, source);
  statement.bind_text(6, action);
  statement.bind_text(7, detail.dump());
  statement.step();
  statement.reset();
}

void schedule_timer(Session::Impl& impl, const std::string& tenant, const std::string& object,
                    const std::string& record_id, const std::string& kind, const std::string& name, std::int64_t step,
                    DateTime due, DateTime now) {
  auto& statement = impl.db().prepare(
      "INSERT INTO _hotcrm_timer (tenant_id, object, record_id, kind, name, step, due_at, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  statement.bind_text(1, tenant);
  statement.bind_text(2, object);
  statement.bind_text(3, record_id);
  statement.bind_text(4, kind);
  statement.bind_text(5, name);
  statement.bind_int(6, step);
  statement.bind_int(7, due.micros);
  statement.bind_int(8, now.micros);
  statement.step();
  statement.reset();
}

void cancel_timers(Session::Impl& impl, const std::string& object, const std::string& record_id,
                   const std::string& kind, const std::string& name) {
  auto& statement = impl.db().prepare(
      kind.empty() ? "DELETE FROM _hotcrm_timer WHERE object = ? AND record_id = ?"
                   : "DELETE FROM _hotcrm_timer WHERE object = ? AND record_id = ? AND kind = ? AND name = ?");
  statement.bind_text(1, object);
  statement.bind_text(2, record_id);
  if (!kind.empty()) {
    statement.bind_text(3, kind);
    statement.bind_text(4, name);
  }
  statement.step();
  statement.reset();
}

ActionRunner::ActionRunner(Session& session, const ObjectPlan& plan, std::vector<Value> row,
                           const std::vector<Value>* prior, DateTime now, std::string key)
    : session_(session),
      impl_(SessionAccess::impl(session)),
      plan_(plan),
      row_(std::move(row)),
      prior_(prior),
      now_(now),
      key_(std::move(key)),
      id_(row_[kIdColumn].as_string()) {}

bool ActionRunner::holds(const std::optional<Formula>& condition) {
  if (!condition) return true;
  SlotResolver resolver(impl_, SessionAccess::context(session_).tenant, now_);
  auto result = resolver.evaluate(plan_, row_, prior_, *condition);
  return result.ok() && !result.value.is_null() && result.value.as_bool();
}

void ActionRunner::log(const std::string& source, const std::string& action, const nlohmann::json& detail) {
  append_log(impl_, SessionAccess::context(session_).tenant, now_, plan_.object->name, id_, source, action, detail);
}

Value ActionRunner::evaluate_formula(const Formula& formula, const std::string& source) {
  SlotResolver resolver(impl_, SessionAccess::context(session_).tenant, now_);
  auto result = resolver.evaluate(plan_, row_, prior_, formula);
  if (!result.ok())
    throw ValidationError({FieldError{plan_.object->name, "", source, "workflow",
                                      fmt::format("{}: the formula '{}' failed ({})", source, formula.source(),
                                                  error_code_name(result.error)),
                                      -1, id_}});
  return std::move(result.value);
}

Value ActionRunner::evaluate(const CompiledValue& value, const std::string& source) {
  switch (value.kind) {
    case ActionValue::Kind::literal: return value.literal;
    case ActionValue::Kind::formula: return evaluate_formula(*value.formula, source);
    case ActionValue::Kind::text_template: return render(value, source);
    case ActionValue::Kind::sequence: break;  // numbers a field: value_for
  }
  throw Error(ErrorCode::internal, source + ": a sequence value outside a field write");
}

Value ActionRunner::value_for(const CompiledValue& value, const std::string& object, const std::string& field,
                              const std::string& source) {
  if (value.kind != ActionValue::Kind::sequence) return evaluate(value, source);
  return next_in_sequence(value.literal.as_string(), object, field);
}

std::string ActionRunner::next_in_sequence(const std::string& format, const std::string& object,
                                           const std::string& field) {
  // The prefix is the format rendered for today up to its counter (the catalog check put the
  // counter last); the highest all-digit suffix behind it, among this tenant's records, plus one.
  const Date today = now_.date();
  const std::string rendered = render_autonumber(format, 0, today);
  const std::size_t width = format.size() - format.rfind('{') - 2;
  const std::string prefix = rendered.substr(0, rendered.size() - width);
  auto& statement = impl_.db().prepare(fmt::format(
      "SELECT MAX(CAST(substr({0}, ?1) AS INTEGER)) FROM {1} WHERE \"tenant_id\" = ?2 AND substr({0}, 1, ?3) = ?4 "
      "AND length({0}) > ?3 AND substr({0}, ?1) NOT GLOB '*[^0-9]*'",
      quote(field), quote(object)));
  statement.bind_int(1, static_cast<std::int64_t>(prefix.size()) + 1);
  statement.bind_text(2, SessionAccess::context(session_).tenant);
  statement.bind_int(3, static_cast<std::int64_t>(prefix.size()));
  statement.bind_text(4, prefix);
  std::int64_t highest = 0;
  if (statement.step() && !statement.column_is_null(0)) highest = statement.column_int(0);
  statement.reset();
  return render_autonumber(format, highest + 1, today);
}

std::string ActionRunner::render(const CompiledValue& value, const std::string& source) {
  if (value.kind != ActionValue::Kind::text_template) return text_of(evaluate(value, source));
  std::string text;
  for (const auto& [literal, formula] : value.parts)
    text += formula ? text_of(evaluate_formula(*formula, source)) : literal;
  return text;
}

nlohmann::json ActionRunner::render_body(const nlohmann::json& node, const std::vector<CompiledValue>& leaves,
                                         std::size_t& next, const std::string& source) {
  // Walks the body in the order plan.cpp collected its leaves.
  if (node.is_string()) return render(leaves[next++], source);
  if (node.is_object() && node.size() == 1 && node.contains("formula") && node["formula"].is_string())
    return value_json(evaluate(leaves[next++], source));
  if (!node.is_structured()) return node;
  nlohmann::json out = node.is_array() ? nlohmann::json::array() : nlohmann::json::object();
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (node.is_array()) out.push_back(render_body(*it, leaves, next, source));
    else out[it.key()] = render_body(it.value(), leaves, next, source);
  }
  return out;
}

void ActionRunner::run(const CompiledActions& actions, const std::string& source) {
  for (const auto& action : actions) {
    if (!holds(action.condition)) continue;
    run_one(action, source);
  }
}

void ActionRunner::run_one(const CompiledAction& action, const std::string& source) {
  switch (action.def->kind) {
    case WorkflowAction::Kind::field_update:
      if (action.def->target.empty()) field_update(action, source);
      else parent_update(action, source);
      return;
    case WorkflowAction::Kind::create_record: create_record(action, source); return;
    case WorkflowAction::Kind::email: email(action, source); return;
    case WorkflowAction::Kind::webhook: webhook(action, source); return;
    case WorkflowAction::Kind::custom: custom(action, source); return;
    case WorkflowAction::Kind::score: score(action, source); return;
  }
}

void ActionRunner::set(int column, Value value, const std::string& source) {
  const auto c = static_cast<std::size_t>(column);
  const FieldDef& field = *plan_.columns[c];
  Value coerced;
  if (auto failure = coerce_value(field, value, coerced))
    throw ValidationError({FieldError{plan_.object->name, field.name, source, failure->code,
                                      source + " sets " + failure->message, -1, id_}});
  if (coerced == row_[c]) return;  // no change: no update, no re-evaluation
  log(source, "field_update",
      {{"field", field.name}, {"before", logged_value(&field, row_[c])}, {"after", logged_value(&field, coerced)}});
  row_[c] = coerced;
  changes_.insert_or_assign(field.name, std::move(coerced));
}

void ActionRunner::field_update(const CompiledAction& action, const std::string& source) {
  set(plan_.column_index.at(action.def->field), value_for(action.value, plan_.object->name, action.def->field, source),
      source);
}

void ActionRunner::parent_update(const CompiledAction& action, const std::string& source) {
  const auto& lookup = *plan_.columns[static_cast<std::size_t>(plan_.column_index.at(action.def->target))];
  const auto& parent_id = row_[static_cast<std::size_t>(plan_.column_index.at(action.def->target))];
  if (parent_id.is_null()) {
    log(source, "field_update", {{"target", lookup.name}, {"skipped", "no parent"}});
    return;
  }
  auto value = value_for(action.value, lookup.reference, action.def->field, source);
  log(source, "field_update", {{"target", lookup.name}, {"object", lookup.reference}, {"id", parent_id.as_string()},
                               {"field", action.def->field},
                               {"after", logged_value(impl_.catalog.at(lookup.reference).find_field(action.def->field), value)}});
  SystemWrite system(detail::runtime(impl_));
  session_.update(lookup.reference, parent_id.as_string(), Record{{action.def->field, std::move(value)}});
}

void ActionRunner::create_record(const CompiledAction& action, const std::string& source) {
  Record record;
  for (const auto& [name, value] : action.values) record.emplace(name, value_for(value, action.def->object, name, source));
  std::string id;
  {
    SystemWrite system(detail::runtime(impl_));
    id = session_.insert(action.def->object, record);
  }
  log(source, "create_record", {{"object", action.def->object}, {"id", id}});
}

std::int64_t ActionRunner::post(const std::string& kind, const std::string& source, std::size_t index,
                                const nlohmann::json& payload) {
  // One firing posts each of its messages once: the key names the firing and the action.
  auto key = fmt::format("{}/{}/{}/{}#{}", key_, plan_.object->name, id_, source, index);
  auto& statement = impl_.db().prepare(
      "INSERT INTO _hotcrm_outbox (tenant_id, kind, object, record_id, source, payload, idempotency_key, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id");
  statement.bind_text(1, SessionAccess::context(session_).tenant);
  statement.bind_text(2, kind);
  statement.bind_text(3, plan_.object->name);
  statement.bind_text(4, id_);
  statement.bind_text(5, source);
  statement.bind_text(6, payload.dump());
  statement.bind_text(7, key);
  statement.bind_int(8, now_.micros);
  std::int64_t id = statement.step() ? statement.column_int(0) : 0;
  statement.reset();
  return id;
}

void ActionRunner::email(const CompiledAction& action, const std::string& source) {
  nlohmann::json to = nlohmann::json::array();
  for (const auto& recipient : action.recipients) {
    auto address = render(recipient, source);
    if (!address.empty()) to.push_back(address);
  }
  if (to.empty()) {
    log(source, "email", {{"template", action.def->template_name}, {"skipped", "no recipient"}});
    return;
  }
  nlohmann::json payload{{"template", action.def->template_name}, {"to", to},
                         {"subject", render(action.subject, source)}, {"body", render(action.body, source)}};
  auto id = post("email", source, action.index, payload);
  log(source, "email", {{"template", action.def->template_name}, {"to", to}, {"message", id}});
}

void ActionRunner::webhook(const CompiledAction& action, const std::string& source) {
  std::size_t next = 0;
  nlohmann::json body = action.body_template.is_null() ? nlohmann::json()
                                                        : render_body(action.body_template, action.body_values, next, source);
  nlohmann::json payload{{"method", action.def->method}, {"url", render(action.url, source)}, {"body", body}};
  auto id = post("webhook", source, action.index, payload);
  log(source, "webhook", {{"url", payload["url"]}, {"message", id}});
}

void ActionRunner::custom(const CompiledAction& action, const std::string& source) {
  auto& runtime = detail::runtime(impl_);
  Record parameters;
  for (const auto& [name, value] : action.values) parameters.emplace(name, evaluate(value, source));
  if (runtime.simulating) {
    log(source, "custom", {{"name", action.def->name}, {"skipped", "simulation"}});
    return;
  }
  auto callback = runtime.callbacks.find(action.def->name);
  if (callback == runtime.callbacks.end())
    throw WorkflowError(fmt::format("{} on {} '{}': no callback is registered for custom action '{}' "
                                                   "(register_action)", source, plan_.object->name, id_, action.def->name));
  log(source, "custom", {{"name", action.def->name}});
  ActionContext context{session_, plan_.object->name, id_, row_to_record(plan_, row_), std::move(parameters), now_};
  // The host writes as a user: read-only fields stay closed to it.
  const int system_writes = std::exchange(runtime.system_writes, 0);
  try {
    callback->second(context);
  } catch (...) {
    runtime.system_writes = system_writes;
    throw;
  }
  runtime.system_writes = system_writes;
}

void ActionRunner::score(const CompiledAction& action, const std::string& source) {
  const std::string& model = action.def->model;
  RowScore result;
  try {
    result = score_row(session_, model, plan_, row_, now_);
  } catch (const Error& error) {
    if (error.code() == ErrorCode::internal) throw;
    std::string why = error.what();
    if (why.starts_with("[hotcrm.") && why.find("] ") != std::string::npos) why = why.substr(why.find("] ") + 2);
    throw WorkflowError(fmt::format("{} on {} '{}': the score action cannot score with model '{}': {}", source,
                                    plan_.object->name, id_, model, why));
  }
  const int column = plan_.column_index.at(action.def->field);
  const FieldDef& field = *plan_.columns[static_cast<std::size_t>(column)];
  // The score at the field's scale (a NaN score, a model that cannot score the record, clears it).
  Value value;
  if (std::isfinite(result.score)) {
    if (field.is_decimal()) value = Decimal::from_double(result.score, field.scale);
    else if (field.scale == 0) value = static_cast<std::int64_t>(std::llround(result.score));
    else value = std::round(result.score * std::pow(10.0, field.scale)) / std::pow(10.0, field.scale);
  }
  log(source, "score", {{"model", model}, {"version", result.version}, {"field", field.name},
                        {"score", std::isfinite(result.score) ? nlohmann::json(result.score) : nlohmann::json()},
                        {"raw", std::isfinite(result.raw) ? nlohmann::json(result.raw) : nlohmann::json()},
                        {"band", result.band}});
  set(column, std::move(value), source);
}

}  // namespace hotcrm::detail
