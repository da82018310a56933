// Loading sample data: the order of objects, their volumes, the generation pipeline of one record
// (references, metadata-driven values, hand-written realism, rule repair) and the batched import.
#include "hotcrm/sample.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "sample/generated_rows.hpp"
#include "sample/profiles.hpp"
#include "sample/rule_repair.hpp"

namespace hotcrm::inline v0::sample {
namespace {

/// Records of an object the generator knows nothing about: 20 per unit of scale, or three per
/// record of the parent it belongs to (its master-detail or required lookup).
constexpr std::int64_t default_per_scale = 20;
constexpr std::int64_t children_per_parent = 3;
/// Objects pointing to themselves (parent accounts, managers) are loaded in two steps so that the
/// later records can point to the earlier ones: this share comes first.
constexpr std::int64_t hierarchy_roots_percent = 30;
/// Stored records of each target object that generate_record chooses lookups from.
constexpr std::int64_t parents_read_for_one_record = 300;

bool points_to_itself(const ObjectDef& object) {
  return std::any_of(object.fields.begin(), object.fields.end(), [&](const FieldDef& field) {
    return field.is_reference() && field.reference == object.name && is_generated(field);
  });
}

/// The object's lookups to other objects of the catalog, required or optional ones.
std::vector<std::string> references(const Catalog& catalog, const ObjectDef& object, bool required) {
  std::vector<std::string> targets;
  for (const FieldDef& field : object.fields) {
    if (field.is_reference() && field.required == required && field.reference != object.name &&
        catalog.find(field.reference) != nullptr)
      targets.push_back(field.reference);
  }
  return targets;
}

std::size_t profile_rank(std::string_view object) {
  const ObjectProfile* profile = find_profile(object);
  return profile == nullptr ? SIZE_MAX : static_cast<std::size_t>(profile - find_profile("role"));
}

std::vector<std::string> generated_fields(const ObjectDef& object) {
  std::vector<std::string> fields;
  for (const FieldDef& field : object.fields) {
    if (!is_system_field(field.name) && is_generated(field)) fields.push_back(field.name);
  }
  return fields;
}

/// Everything one object's generation keeps from record to record.
struct ObjectGenerator {
  const Catalog& catalog;
  const ObjectDef& object;
  const GeneratedRows& generated;
  Date today;
  SampleRandom random;
  RuleRepair rules;
  UniqueNames unique;
  std::map<std::string, std::int64_t> counters;

  ObjectGenerator(const Catalog& catalog_in, const ObjectDef& object_in, const GeneratedRows& generated_in,
                  Date today_in, std::uint64_t seed)
      : catalog(catalog_in), object(object_in), generated(generated_in), today(today_in),
        random(derive_seed(seed, object_in.name)), rules(catalog_in, object_in, today_in) {}

  Record next(std::int64_t index) {
    Record record;
    RowContext context{catalog, object, index, random, generated, today, unique, counters, record};
    fill_references(context);
    fill_values(context);
    if (const ObjectProfile* profile = find_profile(object.name); profile != nullptr && profile->shape != nullptr)
      profile->shape(context);
    rules.repair(context);
    return record;
  }
};

/// What importing one batch kept.
struct ImportedBatch {
  RecordBatch rows;  ///< the stored rows
  std::vector<std::string> ids;
  std::int64_t rejected = 0;
};

/// Clears the optional fields the store blamed, so that a second import can keep the record.
void clear_blamed_fields(const ObjectDef& object, const std::vector<FieldError>& errors, std::int64_t row,
                         Record& record) {
  for (const FieldError& error : errors) {
    if (error.row != row) continue;
    const FieldDef* field = object.find_field(error.field);
    if (field != nullptr && !field->required) record.erase(error.field);
  }
}

/// Imports `batch` (skip mode); rejected rows get one more chance with the blamed optional fields
/// cleared (a rule reading through a lookup, a unique value taken by someone else).
ImportedBatch import_batch(Session& session, const ObjectDef& object, const RecordBatch& batch, bool retry = true);

/// Imports the rows one by one: for a batch that a problem found only at commit time (a roll-up
/// of the parent that no longer fits) refuses as a whole.
ImportedBatch import_one_by_one(Session& session, const ObjectDef& object, const RecordBatch& batch) {
  ImportedBatch imported{RecordBatch(batch.fields()), {}, 0};
  for (std::size_t row = 0; row < batch.row_count(); ++row) {
    RecordBatch single(batch.fields());
    std::span<const Value> values = batch.row(row);
    single.add_row(std::vector<Value>(values.begin(), values.end()));
    try {
      ImportOptions options;
      options.run_workflows = false;
      ImportReport report = session.import_records(object.name, single, options);
      imported.rows.add_row(std::vector<Value>(values.begin(), values.end()));
      imported.ids.push_back(std::move(report.ids.front()));
    } catch (const ValidationError&) {
      ++imported.rejected;
    } catch (const ConflictError&) {
      ++imported.rejected;
    }
  }
  return imported;
}

ImportedBatch import_batch(Session& session, const ObjectDef& object, const RecordBatch& batch, bool retry) {
  ImportOptions options;
  options.on_error = OnError::skip;
  options.run_workflows = false;  // history, not new business: no alerts, tasks or timers for it
  ImportReport report;
  try {
    report = session.import_records(object.name, batch, options);
  } catch (const ValidationError&) {
    return import_one_by_one(session, object, batch);
  } catch (const ConflictError&) {
    return import_one_by_one(session, object, batch);
  }
  std::set<std::int64_t> rejected_rows;
  for (const FieldError& error : report.rejected) rejected_rows.insert(error.row);
  ImportedBatch imported{RecordBatch(batch.fields()), std::move(report.ids), 0};
  RecordBatch second_chance(batch.fields());
  for (std::size_t row = 0; row < batch.row_count(); ++row) {
    if (rejected_rows.count(static_cast<std::int64_t>(row)) == 0) {
      std::span<const Value> values = batch.row(row);
      imported.rows.add_row(std::vector<Value>(values.begin(), values.end()));
      continue;
    }
    Record record = batch.record(row);
    clear_blamed_fields(object, report.rejected, static_cast<std::int64_t>(row), record);
    second_chance.add_record(record);
  }
  if (second_chance.row_count() == 0) return imported;
  if (!retry) {
    imported.rejected = static_cast<std::int64_t>(second_chance.row_count());
    return imported;
  }
  ImportedBatch retried = import_batch(session, object, second_chance, false);
  for (std::size_t row = 0; row < retried.rows.row_count(); ++row) {
    std::span<const Value> values = retried.rows.row(row);
    imported.rows.add_row(std::vector<Value>(values.begin(), values.end()));
  }
  imported.ids.insert(imported.ids.end(), retried.ids.begin(), retried.ids.end());
  imported.rejected = retried.rejected;
  return imported;
}

LoadedObject load_object(Session& session, const ObjectDef& object, const SampleDataOptions& options,
                         GeneratedRows& generated) {
  const auto started = std::chrono::steady_clock::now();
  const std::vector<std::string> fields = generated_fields(object);
  const std::int64_t count = record_count(session.catalog(), object.name, options.scale);
  ObjectGenerator generator(session.catalog(), object, generated, options.today, options.seed);
  ObjectRows& stored = generated.of(object.name, fields);
  const std::int64_t batch_rows = std::max<std::int64_t>(1, options.batch_rows);
  LoadedObject loaded{object.name, 0, 0, {}};
  std::int64_t index = 0;
  bool first_batch = true;
  while (index < count) {
    std::int64_t size = std::min(batch_rows, count - index);
    if (first_batch && points_to_itself(object)) size = std::max<std::int64_t>(1, count * hierarchy_roots_percent / 100);
    first_batch = false;
    RecordBatch batch(fields);
    batch.reserve(static_cast<std::size_t>(size));
    for (std::int64_t row = 0; row < size; ++row) batch.add_record(generator.next(index + row));
    ImportedBatch imported = import_batch(session, object, batch);
    stored.append(imported.rows, imported.ids);
    loaded.rows += static_cast<std::int64_t>(imported.ids.size());
    loaded.rejected += imported.rejected;
    index += size;
  }
  loaded.elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started);
  return loaded;
}

/// Reads up to `limit` stored records of `object` into `generated`, for lookups to point at.
void read_stored(Session& session, const ObjectDef& object, GeneratedRows& generated) {
  if (generated.find(object.name) != nullptr) return;
  const std::vector<std::string> fields = generated_fields(object);
  Query query;
  query.object = object.name;
  query.fields = fields;
  query.fields.insert(query.fields.begin(), "id");
  query.limit = parents_read_for_one_record;
  const QueryResult result = session.query(query);
  RecordBatch rows(fields);
  std::vector<std::string> ids;
  for (std::size_t row = 0; row < result.size(); ++row) {
    std::span<const Value> values = result.rows.row(row);
    ids.push_back(values[0].as_string());
    rows.add_row(std::vector<Value>(values.begin() + 1, values.end()));
  }
  generated.of(object.name, fields).append(rows, ids);
}

/// A text value not yet stored in `field`: e-mail addresses get "+n" in their local part, other
/// text " n" at the end.
Value unique_in_store(Session& session, const ObjectDef& object, const FieldDef& field, const Value& value) {
  if (value.kind() != ValueKind::text) return value;
  Value candidate = value;
  for (int n = 2; session.count(object.name, Filter::compare(field.name, CompareOp::eq, candidate)) > 0; ++n) {
    std::string text = value.as_string();
    const auto at = text.find('@');
    if (field.type == FieldType::email && at != std::string::npos) {
      text.insert(at, fmt::format("+{}", n));
    } else {
      const std::string suffix = fmt::format(" {}", n);
      const std::size_t room = field.max_length ? static_cast<std::size_t>(*field.max_length) - suffix.size() : text.size();
      text = truncate_utf8(std::move(text), room) + suffix;
    }
    candidate = text;
  }
  return candidate;
}

}  // namespace

std::vector<std::string> load_order(const Catalog& catalog) {
  std::vector<const ObjectDef*> remaining;
  for (const ObjectDef& object : catalog.objects()) remaining.push_back(&object);
  // Known objects in the order of the profiles, the others after them in catalog order.
  std::stable_sort(remaining.begin(), remaining.end(), [](const ObjectDef* a, const ObjectDef* b) {
    return profile_rank(a->name) < profile_rank(b->name);
  });
  std::set<std::string, std::less<>> loaded;
  auto missing = [&](const std::vector<std::string>& targets) {
    return std::count_if(targets.begin(), targets.end(), [&](const std::string& target) { return !loaded.contains(target); });
  };
  std::vector<std::string> order;
  while (!remaining.empty()) {
    // Among the objects whose required parents are loaded (or, in a cycle of required lookups,
    // those missing the fewest), the one whose optional lookups find the most parents loaded.
    auto best = remaining.begin();
    std::pair<std::ptrdiff_t, std::ptrdiff_t> best_score{PTRDIFF_MAX, PTRDIFF_MAX};
    for (auto it = remaining.begin(); it != remaining.end(); ++it) {
      const std::pair<std::ptrdiff_t, std::ptrdiff_t> score{missing(references(catalog, **it, true)),
                                                            missing(references(catalog, **it, false))};
      if (score < best_score) {
        best_score = score;
        best = it;
      }
    }
    order.push_back((*best)->name);
    loaded.insert((*best)->name);
    remaining.erase(best);
  }
  return order;
}

namespace {

std::int64_t record_count_within(const Catalog& catalog, std::string_view object, std::int64_t scale, int depth) {
  if (const ObjectProfile* profile = find_profile(object)) return profile->fixed ? profile->per_scale : profile->per_scale * scale;
  const ObjectDef& definition = catalog.at(object);
  // A cycle of required lookups (or a very deep chain) falls back to the default volume.
  constexpr int max_owner_depth = 8;
  for (const FieldDef& field : definition.fields) {
    const bool owner = field.type == FieldType::master_detail || (field.type == FieldType::lookup && field.required);
    if (owner && depth < max_owner_depth && field.reference != definition.name && catalog.find(field.reference) != nullptr)
      return children_per_parent * record_count_within(catalog, field.reference, scale, depth + 1);
  }
  return default_per_scale * scale;
}

}  // namespace

std::int64_t record_count(const Catalog& catalog, std::string_view object, std::int64_t scale) {
  return record_count_within(catalog, object, std::max<std::int64_t>(1, scale), 0);
}

std::vector<LoadedObject> load_sample_data(Session& session, const SampleDataOptions& options,
                                           const LoadedCallback& on_loaded) {
  const Catalog& catalog = session.catalog();
  GeneratedRows generated;
  std::vector<LoadedObject> loaded;
  for (const std::string& object : load_order(catalog)) {
    LoadedObject step = load_object(session, catalog.at(object), options, generated);
    if (on_loaded) on_loaded(step);
    loaded.push_back(std::move(step));
  }
  return loaded;
}

namespace {

/// The stored records of `object` and of every object its lookups (and polymorphic pairs) may
/// point to, for generated records to refer to.
void read_parents(Session& session, const ObjectDef& definition, GeneratedRows& generated) {
  const Catalog& catalog = session.catalog();
  read_stored(session, definition, generated);
  for (const FieldDef& field : definition.fields) {
    if (field.is_reference() && catalog.find(field.reference) != nullptr)
      read_stored(session, catalog.at(field.reference), generated);
    if (field.type == FieldType::select && field.name.ends_with("_object")) {
      for (const PicklistOption& option : field.options) {
        if (catalog.find(option.value) != nullptr) read_stored(session, catalog.at(option.value), generated);
      }
    }
  }
}

}  // namespace

RecordBatch generate_records(Session& session, std::string_view object, std::int64_t count, std::uint64_t seed,
                             Date today) {
  if (count < 0) throw UsageError(ErrorCode::usage, "generate_records: the count must not be negative");
  const ObjectDef& definition = session.catalog().at(object);
  GeneratedRows generated;
  read_parents(session, definition, generated);
  ObjectGenerator generator(session.catalog(), definition, generated, today, seed);
  RecordBatch batch(generated_fields(definition));
  batch.reserve(static_cast<std::size_t>(count));
  const std::int64_t first = session.count(definition.name);
  for (std::int64_t index = 0; index < count; ++index) batch.add_record(generator.next(first + index));
  return batch;
}

Record generate_record(Session& session, std::string_view object, std::uint64_t seed, Date today) {
  const Catalog& catalog = session.catalog();
  const ObjectDef& definition = catalog.at(object);
  GeneratedRows generated;
  read_parents(session, definition, generated);
  ObjectGenerator generator(catalog, definition, generated, today, seed);
  Record record = generator.next(session.count(definition.name));
  for (auto& [name, value] : record) {
    const FieldDef* field = definition.find_field(name);
    if (field != nullptr && field->unique) value = unique_in_store(session, definition, *field, value);
  }
  return record;
}

}  // namespace hotcrm::inline v0::sample
