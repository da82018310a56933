#pragma once
// Feature extraction compiled once for a request and run over pages of stored rows: the formulas
// (on the batch evaluator) and the aggregates of related records (one grouped SQL query per
// aggregate and page). Session::features pages through a table with it; the workflow's "score"
// action runs it on the one row being saved.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "store/impl.hpp"

namespace hotcrm::detail {

class SqlBuilder;

class FeatureProgram {
 public:
  /// Compiles `specs` against `plan`'s object. Throws UsageError naming the feature that is wrong.
  FeatureProgram(Session::Impl& impl, std::string tenant, DateTime now, const ObjectPlan& plan,
                 const std::vector<FeatureSpec>& specs);
  ~FeatureProgram();
  FeatureProgram(const FeatureProgram&) = delete;
  FeatureProgram& operator=(const FeatureProgram&) = delete;

  /// The matrix columns: the specs that are not hidden, in order.
  const std::vector<std::string>& names() const noexcept { return names_; }
  /// Appends rows.size() x names().size() values (row-major) computed for these rows of the object
  /// (each a full row of plan.columns; they need not be stored yet, but aggregates read the children
  /// stored under their ids).
  void evaluate(const std::vector<std::vector<Value>>& rows, std::vector<double>& out);

 private:
  struct Aggregate;
  struct Column {
    int aggregate = -1;  ///< an aggregate's index, or -1 for a formula
    std::size_t formula = 0;
  };
  std::unique_ptr<Aggregate> compile_aggregate(const FeatureSpec& spec, const std::vector<FeatureSpec>& specs);
  static const FieldDef& link_field(const ObjectDef& child, const ObjectDef& object, const FeatureAggregate& def,
                                    const std::string& where);
  Filter window_filter(const ObjectDef& child, const FeatureAggregate& def, const std::string& where) const;
  Formula compile_feature_formula(const FeatureSpec& spec, const std::map<std::string, FieldType>& extra) const;
  std::vector<Value> aggregate_page(Aggregate& aggregate, const std::vector<std::vector<Value>>& rows);

  Session::Impl& impl_;
  std::string tenant_;
  DateTime now_;
  const ObjectPlan& plan_;
  std::vector<std::unique_ptr<Aggregate>> aggregates_;
  std::map<std::string, std::size_t> aggregate_index_;
  std::vector<Formula> formulas_;
  std::vector<Column> columns_;
  std::vector<std::string> names_;
};

}  // namespace hotcrm::detail
