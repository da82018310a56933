#pragma once
// Validation rules checked on generated records before they are imported, with the engine's own
// formula evaluator, and repaired when broken, so that generated data passes the rules of any
// catalog, not only the ones the hand-written generators know about.

#include <vector>

#include "hotcrm/formula/formula.hpp"
#include "sample/row_context.hpp"

namespace hotcrm::inline v0::sample {

class RuleRepair {
 public:
  /// Compiles the object's active rules. Rules that read through lookups ("account_id.industry")
  /// cannot be checked in memory; the import catches those.
  RuleRepair(const Catalog& catalog, const ObjectDef& object, Date today);

  /// Names of the rules the record breaks.
  std::vector<std::string> broken(const Record& record) const;
  /// Changes the fields a broken rule reads until no rule is broken: swaps two values of the same
  /// type (an end before its start), clears the optional field the rule blames, draws new values,
  /// and finally clears every optional field the rule reads. False when rules are still broken.
  bool repair(RowContext& context) const;

 private:
  struct CompiledRule {
    const ValidationRule* rule = nullptr;
    Formula formula;
  };
  bool breaks(const CompiledRule& rule, const Record& record) const;
  const CompiledRule* first_broken(const Record& record) const;
  void change(RowContext& context, const CompiledRule& rule, int attempt) const;

  const ObjectDef& object_;
  Date today_;
  std::vector<CompiledRule> rules_;
};

}  // namespace hotcrm::inline v0::sample
