#pragma once
// Reading stored rows, and the formula side of the write path: resolving a formula's field paths
// against a row (through lookups, and through other formula fields) and checking validation rules.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/impl.hpp"

namespace hotcrm::detail {

/// Reads the current result row of `statement` (all of plan.columns, in order).
void read_row(const Statement& statement, const ObjectPlan& plan, std::vector<Value>& row);
/// The stored row with this id in this tenant, or nullopt.
std::optional<std::vector<Value>> load_row(Session::Impl& impl, const ObjectPlan& plan, std::string_view id,
                                           const std::string& tenant);

/// Formula fields reading formula fields, and lookup hops, that a resolution follows at most.
constexpr int kMaxFormulaDepth = 8;

/// Resolves formula field paths against rows: "status" reads the row, "account_id.industry" loads
/// the account (cached per resolver), a formula field is evaluated in turn.
class SlotResolver {
 public:
  /// write: evaluations without a prior row are inserts (ISNEW() true). read: stored records being
  /// read, filtered or summed, which are not new (ISNEW() false, ISCHANGED() false).
  enum class Mode : std::uint8_t { write, read };
  /// Lookups read the parents the current call's user may read (all of them for system calls).
  SlotResolver(Session::Impl& impl, const std::string& tenant, DateTime now, Mode mode = Mode::write);
  /// The same with an explicit scope (nullptr: system).
  SlotResolver(Session::Impl& impl, const std::string& tenant, DateTime now, Mode mode, AccessScope* access)
      : impl_(impl), tenant_(tenant), now_(now), mode_(mode), access_(access) {}

  Value resolve(const ObjectPlan& plan, const std::vector<Value>& row, std::string_view path, int depth = 0);
  /// Evaluates `formula` for `row` (prior: the stored row before an update; nullptr on insert).
  EvalResult evaluate(const ObjectPlan& plan, const std::vector<Value>& row, const std::vector<Value>* prior,
                      const Formula& formula, int depth = 0);
  /// Evaluates the sub-expression of `formula` rooted at compiled node `node`.
  EvalResult evaluate_node(const ObjectPlan& plan, const std::vector<Value>& row, const std::vector<Value>* prior,
                           const Formula& formula, std::uint32_t node, int depth = 0);
  DateTime now() const noexcept { return now_; }

 private:
  const std::vector<Value>* parent(const ObjectPlan& parent_plan, const std::string& id);

  Session::Impl& impl_;
  const std::string& tenant_;
  DateTime now_;
  Mode mode_;
  AccessScope* access_ = nullptr;
  std::map<std::pair<std::string, std::string>, std::optional<std::vector<Value>>> parents_;
};

/// The SQL of a keyset page of `plan`'s rows: its columns then the rowid, WHERE `condition` AND
/// rowid > ? (the last rowid of the previous page, bound after the condition's parameters), in
/// rowid order, at most `limit` rows. read_page steps it.
std::string keyset_page_sql(const ObjectPlan& plan, std::string_view condition, std::size_t limit);

/// Steps a bound keyset-page statement (the object's columns, then the rowid) into `rows`, leaving
/// `last_rowid` at the page's last rowid for the next page; resets it. False when the page is empty.
bool read_page(Statement& statement, const ObjectPlan& plan, std::vector<std::vector<Value>>& rows,
               std::int64_t& last_rowid);

/// Evaluates `formula` over stored rows on the batch path: its input columns are resolved from the
/// rows (through lookups and formula fields) one slot at a time.
FormulaColumn evaluate_rows(SlotResolver& resolver, const ObjectPlan& plan, const std::vector<std::vector<Value>>& rows,
                            const Formula& formula, const EvalContext& context);

/// True when a rule's condition holds, or could not be evaluated (both reject the record).
bool rule_violated(const EvalResult& result);
/// The FieldError of a rule that holds (code "rule") or could not be evaluated ("rule_error").
FieldError rule_violation(const ObjectPlan& plan, const ValidationRule& rule, const EvalResult& result);

/// Appends one FieldError per active rule whose condition holds for `row` (or fails to evaluate).
void check_rules(SlotResolver& resolver, const ObjectPlan& plan, const std::vector<Value>& row,
                 const std::vector<Value>* prior, std::vector<FieldError>& errors);

}  // namespace hotcrm::detail
