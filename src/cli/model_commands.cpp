// `hotcrm score` and `hotcrm model list|register|promote|traffic|monitor`: the model registry from the
// command line.

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_common.hpp"
#include "cli/progress_bar.hpp"
#include "hotcrm/scoring/registry.hpp"

namespace hotcrm::cli {
namespace {

using nlohmann::json;

json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

// ---- score ---------------------------------------------------------------------------------------

struct ScoreArguments {
  std::string database;
  std::string model;
  std::string where;
  bool explain = false;
  bool write = false;
  std::int64_t limit = -1;
  std::string format = "table";
  bool quiet = false;
};

ExitCode run_score(const ScoreArguments& arguments) {
  const Filter filter = arguments.where.empty() ? Filter::all() : parse_filter(arguments.where);
  Database database = open_existing_database(arguments.database, arguments.write);
  ModelRegistry registry(database);
  ScoreOptions options;
  options.explain = arguments.explain;
  options.write = arguments.write;
  options.limit = arguments.limit;
  std::unique_ptr<ProgressBar> bar;
  if (!arguments.quiet && ProgressBar::stderr_is_terminal()) {
    bar = std::make_unique<ProgressBar>("score " + arguments.model);
    options.on_progress = bar->callback();
  }
  const ScoreResult result = registry.score(arguments.model, filter, options);
  if (bar) bar->finish();
  const std::size_t k = result.feature_names.size();
  auto top = [&](std::size_t r) {
    // The strongest contributions of a row, "name: +1.23", strongest first.
    std::vector<std::pair<double, std::string>> terms;
    for (std::size_t j = 0; j < k; ++j)
      if (result.contributions[r * k + j] != 0) terms.emplace_back(result.contributions[r * k + j], result.feature_names[j]);
    std::sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) { return std::abs(a.first) > std::abs(b.first); });
    std::string text;
    for (std::size_t i = 0; i < terms.size() && i < 3; ++i)
      text += fmt::format("{}{} {:+.3g}", i ? ", " : "", terms[i].second, terms[i].first);
    return text;
  };
  if (arguments.format == "json") {
    for (std::size_t r = 0; r < result.rows(); ++r) {
      json row = {{"id", result.ids[r]}, {"score", number_or_null(result.scores[r])}, {"model_version", result.model_versions[r]}};
      if (!result.bands.empty()) row["band"] = result.bands[r];
      if (arguments.explain) {
        row["base"] = result.base[r];
        json contributions = json::object();
        for (std::size_t j = 0; j < k; ++j) contributions[result.feature_names[j]] = result.contributions[r * k + j];
        row["contributions"] = contributions;
      }
      std::cout << row.dump() << '\n';
    }
  } else if (arguments.format == "csv") {
    std::cout << "id,score,band,model_version";
    if (arguments.explain) {
      std::cout << ",base";
      for (const auto& name : result.feature_names) std::cout << ",\"" << name << '"';
    }
    std::cout << '\n';
    for (std::size_t r = 0; r < result.rows(); ++r) {
      std::cout << fmt::format("{},{},{},{}", result.ids[r], result.scores[r], result.bands.empty() ? "" : result.bands[r],
                               result.model_versions[r]);
      if (arguments.explain) {
        std::cout << ',' << result.base[r];
        for (std::size_t j = 0; j < k; ++j) std::cout << ',' << result.contributions[r * k + j];
      }
      std::cout << '\n';
    }
  } else {
    std::cout << fmt::format("{:<18} {:>10} {:<12} {:>7}{}\n", "id", "score", "band", "version", arguments.explain ? "  top factors" : "");
    for (std::size_t r = 0; r < result.rows(); ++r)
      std::cout << fmt::format("{:<18} {:>10.4g} {:<12} {:>7}{}\n", result.ids[r], result.scores[r],
                               result.bands.empty() ? "" : result.bands[r], result.model_versions[r],
                               arguments.explain ? "  " + top(r) : "");
    std::cout << fmt::format("({} rows)\n", result.rows());
  }
  if (arguments.write)
    std::cerr << fmt::format("hotcrm: {} scores written, {} unchanged records skipped\n", result.written, result.skipped);
  return ExitCode::ok;
}

void add_score_command(CLI::App& app, Action& action) {
  auto arguments = std::make_shared<ScoreArguments>();
  CLI::App* command = app.add_subcommand("score", "Score records with a registered model (lead_score is built in)");
  command->add_option("db", arguments->database, "database file")->required();
  command->add_option("model", arguments->model, "model name, e.g. lead_score")->required();
  command->add_option("--where", arguments->where, "filter: a where-string or a boolean formula");
  command->add_flag("--explain", arguments->explain, "per-feature contributions (and top factors)");
  command->add_flag("--write", arguments->write,
                    "store the scores in the database; records unchanged since their last score are skipped");
  command->add_option("--limit", arguments->limit, "score at most N records (-1: all)");
  command->add_option("--format", arguments->format, "output format")->check(CLI::IsMember({"table", "json", "csv"}));
  command->add_flag("--quiet", arguments->quiet, "no progress bar");
  command->callback([arguments, &action] { action = [arguments] { return run_score(*arguments); }; });
}

// ---- model ---------------------------------------------------------------------------------------

struct ModelArguments {
  std::string database;
  std::string name;
  std::string file;
  std::int64_t version = 0;
  double traffic = 0;
  bool champion = false;
  std::string label;
  std::string where;
  std::string format = "table";
};

json info_json(const ModelInfo& info) {
  const json features = json::parse(feature_specs_to_json(info.features));
  json bands = json::object();
  for (const auto& b : info.scale.bands) bands[b.label] = b.min;
  return {{"name", info.name}, {"version", info.version}, {"kind", std::string(to_string(info.kind))},
          {"object", info.object}, {"status", std::string(to_string(info.status))}, {"traffic", info.traffic},
          {"features", features}, {"metrics", json::parse(info.metrics_json)}, {"bands", bands},
          {"description", info.description}, {"created_at", info.created_at.to_string()}};
}

ExitCode run_model_list(const ModelArguments& arguments) {
  Database database = open_existing_database(arguments.database, true);
  const auto infos = ModelRegistry(database).list(arguments.name);
  if (arguments.format == "json") {
    for (const auto& info : infos) std::cout << info_json(info).dump() << '\n';
    return ExitCode::ok;
  }
  std::cout << fmt::format("{:<20} {:>7} {:<14} {:<12} {:<11} {:>7}  {}\n", "name", "version", "kind", "object", "status",
                           "traffic", "created_at");
  for (const auto& info : infos)
    std::cout << fmt::format("{:<20} {:>7} {:<14} {:<12} {:<11} {:>6}%  {}\n", info.name, info.version, to_string(info.kind),
                             info.object, to_string(info.status), info.traffic, info.created_at.to_string());
  return ExitCode::ok;
}

/// FILE: {"name", "object", "features": {name: formula | {"aggregate"...}} | [{"name", "formula" |
/// "aggregate", "hidden"}], "model": {our model JSON} | "xgboost": "path.json", "metrics", "bands":
/// {label: min}, "clip": [min, max], "below", "round", "description", "reference": [training scores]}.
ExitCode run_model_register(const ModelArguments& arguments) {
  std::ifstream in(arguments.file);
  if (!in) throw CommandLineError(fmt::format("cannot read '{}'", arguments.file));
  std::stringstream text;
  text << in.rdbuf();
  json doc;
  try {
    doc = json::parse(text.str());
  } catch (const json::exception& error) {
    throw Error(ErrorCode::parse, fmt::format("{}: not JSON: {}", arguments.file, error.what()));
  }
  auto need = [&](const char* key) -> const json& {
    if (!doc.contains(key)) throw Error(ErrorCode::parse, fmt::format("{}: missing \"{}\"", arguments.file, key));
    return doc[key];
  };
  const std::string name = arguments.name.empty() ? need("name").get<std::string>() : arguments.name;
  std::optional<Model> model;
  if (doc.contains("model")) model = Model::from_json(doc["model"].dump());
  else if (doc.contains("xgboost")) model = Model::load_xgboost(doc["xgboost"].get<std::string>());
  else throw Error(ErrorCode::parse, fmt::format("{}: give \"model\" (hotcrm model JSON) or \"xgboost\" (a file)", arguments.file));
  RegisterOptions options;
  options.object = need("object").get<std::string>();
  const json& features = need("features");
  std::vector<FeatureSpec> specs;
  try {
    specs = feature_specs_from_json(features.dump());
  } catch (const UsageError& error) {
    throw Error(ErrorCode::parse, fmt::format("{}: \"features\": {}", arguments.file, error.what()));
  }
  if (features.is_object()) {
    // This parser's JSON objects keep no order: the model's columns in its feature order, then the
    // hidden aggregates they read.
    for (const auto& f : model->features()) {
      auto it = std::find_if(specs.begin(), specs.end(), [&](const FeatureSpec& s) { return s.name == f.name && !s.hidden; });
      if (it == specs.end())
        throw Error(ErrorCode::parse, fmt::format("{}: no formula for the model's feature '{}'", arguments.file, f.name));
      options.features.push_back(*it);
    }
    for (const auto& spec : specs)
      if (spec.hidden) options.features.push_back(spec);
  } else {
    options.features = std::move(specs);
  }
  if (doc.contains("metrics")) options.metrics_json = doc["metrics"].dump();
  if (doc.contains("bands"))
    for (const auto& [label, minimum] : doc["bands"].items()) options.scale.bands.push_back({minimum.get<double>(), label});
  if (doc.contains("clip")) {
    options.scale.min = doc["clip"].at(0).get<double>();
    options.scale.max = doc["clip"].at(1).get<double>();
  }
  options.scale.below = doc.value("below", "");
  if (doc.contains("round")) options.scale.round = parse_score_rounding(doc["round"].get<std::string>());
  options.description = doc.value("description", "");
  if (doc.contains("reference")) options.reference_scores = doc["reference"].get<std::vector<double>>();
  options.status = arguments.champion ? ModelStatus::champion : ModelStatus::challenger;
  options.traffic = arguments.traffic;
  Database database = open_existing_database(arguments.database, true);
  const ModelInfo info = ModelRegistry(database).register_model(name, *model, options);
  std::cout << fmt::format("registered {} version {} ({})\n", info.name, info.version, to_string(info.status));
  return ExitCode::ok;
}

ExitCode run_model_promote(const ModelArguments& arguments) {
  Database database = open_existing_database(arguments.database, true);
  ModelRegistry(database).promote(arguments.name, arguments.version);
  std::cout << fmt::format("{} version {} is the champion\n", arguments.name, arguments.version);
  return ExitCode::ok;
}

ExitCode run_model_traffic(const ModelArguments& arguments) {
  Database database = open_existing_database(arguments.database, true);
  ModelRegistry(database).set_traffic(arguments.name, arguments.version, arguments.traffic);
  std::cout << fmt::format("{} version {} takes {}% of the records\n", arguments.name, arguments.version, arguments.traffic);
  return ExitCode::ok;
}

ExitCode run_model_monitor(const ModelArguments& arguments) {
  Database database = open_existing_database(arguments.database, false);
  MonitorOptions options;
  options.label = arguments.label;
  if (!arguments.where.empty()) options.filter = parse_filter(arguments.where);
  const MonitorReport report = ModelRegistry(database).monitor(arguments.name, options);
  if (arguments.format == "json") {
    for (const auto& v : report.versions) {
      json calibration = json::array();
      for (const auto& b : v.calibration)
        calibration.push_back({{"low", b.low}, {"high", b.high}, {"count", b.count}, {"mean_predicted", b.mean_predicted},
                               {"observed_rate", b.observed_rate}});
      std::cout << json{{"version", v.version}, {"status", std::string(to_string(v.status))}, {"scored", v.scored},
                        {"psi", number_or_null(v.psi)}, {"labelled", v.labelled}, {"positives", v.positives},
                        {"auc", number_or_null(v.auc)}, {"log_loss", number_or_null(v.log_loss)},
                        {"calibration", calibration}}
                       .dump()
                << '\n';
    }
    return ExitCode::ok;
  }
  auto shown = [](double x) { return std::isnan(x) ? std::string("-") : fmt::format("{:.4f}", x); };
  std::cout << fmt::format("{:>7} {:<11} {:>9} {:>8} {:>9} {:>8} {:>9}\n", "version", "status", "scored", "psi", "labelled",
                           "auc", "log_loss");
  for (const auto& v : report.versions) {
    std::cout << fmt::format("{:>7} {:<11} {:>9} {:>8} {:>9} {:>8} {:>9}\n", v.version, to_string(v.status), v.scored,
                             shown(v.psi), v.labelled, shown(v.auc), shown(v.log_loss));
    for (const auto& b : v.calibration)
      std::cout << fmt::format("        calibration [{:.1f}, {:.1f}): {:>7} predicted {:.3f} observed {:.3f}\n", b.low, b.high,
                               b.count, b.mean_predicted, b.observed_rate);
  }
  return ExitCode::ok;
}

void add_model_command(CLI::App& app, Action& action) {
  CLI::App* group = app.add_subcommand("model", "List, register, promote and monitor the models of the registry");
  group->require_subcommand(1);
  auto bind = [&action](CLI::App* command, const std::shared_ptr<ModelArguments>& arguments, ExitCode (*run)(const ModelArguments&)) {
    command->callback([arguments, run, &action] { action = [arguments, run] { return run(*arguments); }; });
  };
  {
    auto a = std::make_shared<ModelArguments>();
    CLI::App* c = group->add_subcommand("list", "Print every model version (installs the default models)");
    c->add_option("db", a->database, "database file")->required();
    c->add_option("name", a->name, "only this model");
    c->add_option("--format", a->format, "output format")->check(CLI::IsMember({"table", "json"}));
    bind(c, a, run_model_list);
  }
  {
    auto a = std::make_shared<ModelArguments>();
    CLI::App* c = group->add_subcommand("register", "Register a model described by a JSON file (see docs/cli.md)");
    c->add_option("db", a->database, "database file")->required();
    c->add_option("file", a->file, "model document: name, object, features, model or xgboost, ...")->required();
    c->add_option("--name", a->name, "model name (overrides the file's)");
    c->add_flag("--champion", a->champion, "promote at once");
    c->add_option("--traffic", a->traffic, "percent of records routed to this challenger");
    bind(c, a, run_model_register);
  }
  {
    auto a = std::make_shared<ModelArguments>();
    CLI::App* c = group->add_subcommand("promote", "Make a version the champion (the old champion is retired)");
    c->add_option("db", a->database, "database file")->required();
    c->add_option("name", a->name, "model name")->required();
    c->add_option("version", a->version, "version")->required();
    bind(c, a, run_model_promote);
  }
  {
    auto a = std::make_shared<ModelArguments>();
    CLI::App* c = group->add_subcommand("traffic", "Set the share of records a challenger scores");
    c->add_option("db", a->database, "database file")->required();
    c->add_option("name", a->name, "model name")->required();
    c->add_option("version", a->version, "challenger version")->required();
    c->add_option("percent", a->traffic, "0 to 100")->required();
    bind(c, a, run_model_traffic);
  }
  {
    auto a = std::make_shared<ModelArguments>();
    CLI::App* c = group->add_subcommand("monitor", "Score drift (PSI) and accuracy (AUC, log-loss, calibration)");
    c->add_option("db", a->database, "database file")->required();
    c->add_option("name", a->name, "model name")->required();
    c->add_option("--label", a->label, "outcome formula, e.g. \"ISPICKVAL(status, 'converted')\"");
    c->add_option("--where", a->where, "records whose outcomes count");
    c->add_option("--format", a->format, "output format")->check(CLI::IsMember({"table", "json"}));
    bind(c, a, run_model_monitor);
  }
}

}  // namespace

void add_model_commands(CLI::App& app, Action& action) {
  add_score_command(app, action);
  add_model_command(app, action);
}

}  // namespace hotcrm::cli
