// State machines: events move a record between states. A transition runs, in order, the exit
// actions of the state left, its own actions and the entry actions of the state entered, all on
// the in-memory record, then writes the record once (so workflow rules see one update).
#include <algorithm>

#include <fmt/format.h>

#include "store/access.hpp"
#include "store/rows.hpp"
#include "store/sqlite.hpp"
#include "workflow/actions.hpp"

namespace hotcrm::detail {

namespace {

bool allows_from(const Transition& transition, const std::string& state) {
  return transition.from.empty() || std::find(transition.from.begin(), transition.from.end(), state) != transition.from.end();
}

std::string allowed_events(const CompiledMachine& machine, const std::string& state) {
  std::set<std::string> events;
  for (const auto& transition : machine.transitions)
    if (allows_from(*transition.def, state)) events.insert(transition.def->event);
  std::string list;
  for (const auto& event : events) list += (list.empty() ? "" : ", ") + event;
  return list.empty() ? "none" : list;
}

/// Marks the record's state as movable for the duration of one write.
class StateMove {
 public:
  StateMove(WorkflowRuntime& runtime, std::pair<std::string, std::string> key) : runtime_(runtime), key_(std::move(key)) {
    runtime_.state_moves.insert(key_);
  }
  ~StateMove() { runtime_.state_moves.erase(key_); }
  StateMove(const StateMove&) = delete;
  StateMove& operator=(const StateMove&) = delete;

 private:
  WorkflowRuntime& runtime_;
  std::pair<std::string, std::string> key_;
};

}  // namespace

void enter_state(Session::Impl& impl, ActionRunner& runner, const ObjectPlan& plan, const CompiledMachine& machine,
                 const std::string& state, const std::string& tenant) {
  auto found = machine.states.find(state);
  if (found == machine.states.end()) return;
  const auto& compiled = found->second;
  runner.run(compiled.on_entry, "state:" + state);
  if (compiled.def->timeout) {
    DateTime due{runner.now().micros + compiled.def->timeout->after_minutes * kMicrosPerMinute};
    schedule_timer(impl, tenant, plan.object->name, runner.record_id(), "state", state, 0, due, runner.now());
  }
}

/// Fires `event` for a loaded row; shared by Session::fire and state timeouts.
std::string fire_event(Session& session, const ObjectPlan& plan, std::vector<Value> row, const std::string& event) {
  auto& impl = SessionAccess::impl(session);
  const auto& tenant = SessionAccess::context(session).tenant;
  const auto& machine = *plan.workflow->machine;
  const auto column = static_cast<std::size_t>(machine.state_column);
  const std::string id = row[0].as_string();
  const std::string from = row[column].is_null() ? std::string() : row[column].as_string();
  const DateTime now = impl.now();

  const CompiledTransition* chosen = nullptr;
  std::vector<const CompiledTransition*> blocked;
  SlotResolver resolver(impl, tenant, now, SlotResolver::Mode::read);
  for (const auto& transition : machine.transitions) {
    if (transition.def->event != event || !allows_from(*transition.def, from)) continue;
    if (transition.guard) {
      auto result = resolver.evaluate(plan, row, nullptr, *transition.guard);
      if (!result.ok() || result.value.is_null() || !result.value.as_bool()) {
        blocked.push_back(&transition);
        continue;
      }
    }
    chosen = &transition;
    break;
  }
  if (!chosen) {
    if (!blocked.empty())
      throw WorkflowError(fmt::format("event '{}' on {} '{}' in state '{}': the guard is not met: {}", event,
                                      plan.object->name, id, from, blocked.front()->def->guard));
    throw WorkflowError(fmt::format("event '{}' is not allowed on {} '{}' in state '{}' (allowed: {})", event,
                                    plan.object->name, id, from, allowed_events(machine, from)));
  }
  const std::string& to = chosen->def->to;
  const std::string key = "v" + std::to_string(row[7].as_int()) + "/" + event;
  ActionRunner runner(session, plan, std::move(row), nullptr, now, key);
  const std::string source = "transition:" + event;
  runner.log(source, "transition", {{"from", from}, {"to", to}});
  if (auto left = machine.states.find(from); left != machine.states.end())
    runner.run(left->second.on_exit, "state:" + from);
  runner.run(chosen->actions, source);
  runner.set(machine.state_column, to, source);
  cancel_timers(impl, plan.object->name, id, "state", from);
  enter_state(impl, runner, plan, machine, to, tenant);
  StateMove move(runtime(impl), {plan.object->name, id});
  apply_changes(session, plan, runner);
  return to;
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

std::string Session::fire(std::string_view object, std::string_view id, std::string_view event) {
  detail::RecordCall call(*impl_, context_, object, id, "edit");
  impl_->require_writable();
  const auto& plan = impl_->plan(object);
  if (!plan.workflow || !plan.workflow->machine)
    throw SchemaError(ErrorCode::schema, fmt::format("{} has no state machine", object));
  detail::PinnedClock clock(*impl_);
  detail::Transaction transaction(impl_->db());
  auto row = detail::load_row(*impl_, plan, id, context_.tenant);
  if (!row) throw NotFoundError(ErrorCode::not_found, fmt::format("no {} with id '{}'", object, id));
  auto state = detail::fire_event(*this, plan, std::move(*row), std::string(event));
  transaction.commit();
  return state;
}

}  // namespace v0
}  // namespace hotcrm
