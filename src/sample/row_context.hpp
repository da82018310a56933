#pragma once
// One record being generated, with what its generators may read: the catalog, the records
// generated so far, the run's random stream and "today". The generic, metadata-driven filling and
// the hand-written generators of the standard objects both write through it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hotcrm/model/catalog.hpp"
#include "hotcrm/store/record.hpp"
#include "sample/generated_rows.hpp"
#include "sample/sample_random.hpp"
#include "sample/vocabulary.hpp"

namespace hotcrm::inline v0::sample {

/// A generated record of another object: its rows and the row's index.
struct ParentRow {
  const ObjectRows* rows = nullptr;
  std::size_t row = 0;
  const std::string& id() const { return rows->id(row); }
  const Value& value(std::string_view field) const { return rows->value(row, field); }
  std::string text(std::string_view field) const { return rows->text(row, field); }
};

struct RowContext {
  const Catalog& catalog;
  const ObjectDef& object;
  std::int64_t index;  ///< 0-based number of this record among the object's generated records
  SampleRandom& random;
  const GeneratedRows& generated;
  Date today;
  UniqueNames& unique;  ///< names already handed out for this object
  std::map<std::string, std::int64_t>& counters;  ///< per-parent numbering (line numbers of a quote)
  Record& record;

  /// True when the object has this field and the generator may write it (a user's catalog may lack
  /// fields of the standard one; read-only, formula and autonumber fields are the engine's).
  bool writable(std::string_view field) const;
  /// Sets the field when writable(field); otherwise does nothing.
  void set(std::string_view field, Value value);
  /// The field's generated value (null when not set).
  const Value& get(std::string_view field) const;
  /// The generated record the lookup `field` points to, or nullopt.
  std::optional<ParentRow> parent(std::string_view field) const;
  /// A random generated record of `object`, or nullopt when there is none.
  std::optional<ParentRow> any(std::string_view object);
  /// Points the lookup `field` at `parent` (when writable).
  void link(std::string_view field, const std::optional<ParentRow>& parent);
  /// 1, 2, 3, ... per key: numbers records within their parent.
  std::int64_t next_number(const std::string& key) { return ++counters[key]; }
};

/// Fields the generator fills: stored, writable ones (not read-only, formula, autonumber or roll-up).
bool is_generated(const FieldDef& field);
/// The `who_id` text field of a polymorphic pair `who_object` + `who_id`.
bool is_polymorphic_id(const ObjectDef& object, const FieldDef& field);
/// The value the store would give a field left out (literal, $today, $now), or null when that
/// value is not known before the insert ($current_user, formulas).
Value known_default(const FieldDef& field, Date today);

/// Fills lookups with generated records of their targets, consistent with each other: once the
/// record points to an account, its contact is one of that account's contacts and its
/// opportunity one of that account's opportunities (found from the lookups in the catalog, so it
/// works for any catalog). Also fills polymorphic pairs (`who_object` + `who_id`).
void fill_references(RowContext& context);
/// Fills the other fields from their metadata: every required field, optional ones most of the
/// time; picklists pick options, numbers stay within min / max and precision, text within
/// max_length, unique fields get unique values, names of fields hint at realistic content.
void fill_values(RowContext& context);
/// A new value of one field from its metadata (not for lookups).
Value generic_value(RowContext& context, const FieldDef& field);

}  // namespace hotcrm::inline v0::sample
