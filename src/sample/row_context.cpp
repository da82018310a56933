#include "sample/row_context.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace hotcrm::inline v0::sample {
namespace {

constexpr std::array<std::string_view, 12> name_adjectives = {"Northern", "Central", "Premier", "Global",  "Core",
                                                              "Summit",   "Harbor",  "Atlas",   "Evergreen", "Pioneer",
                                                              "Nimbus",   "Orion"};
constexpr std::array<std::string_view, 10> topics = {"Quarterly review",   "Onboarding",      "Renewal",
                                                     "Implementation",     "Pricing update",  "Product feedback",
                                                     "Integration",        "Support follow-up", "Security questionnaire",
                                                     "Expansion planning"};

/// The words of a field name: "pay_period_end" -> {"pay", "period", "end"}.
std::vector<std::string_view> name_words(std::string_view name) {
  std::vector<std::string_view> words;
  while (!name.empty()) {
    const auto cut = name.find('_');
    words.push_back(name.substr(0, cut));
    if (cut == std::string_view::npos) break;
    name.remove_prefix(cut + 1);
  }
  return words;
}

bool has_word(const FieldDef& field, std::initializer_list<std::string_view> candidates) {
  const auto words = name_words(field.name);
  return std::any_of(words.begin(), words.end(), [&](std::string_view word) {
    return std::find(candidates.begin(), candidates.end(), word) != candidates.end();
  });
}

/// Whether a date field is about the future (an end, a deadline) or the past (a start, an event
/// that happened), judged from its name; 0 when the name does not say.
int time_direction(const FieldDef& field) {
  if (has_word(field, {"end", "expiry", "expiration", "expires", "due", "target", "deadline", "renewal", "until",
                       "close", "next", "planned", "scheduled", "valid"}))
    return 1;
  if (has_word(field, {"start", "hire", "hired", "issue", "issued", "applied", "effective", "join", "joined",
                       "received", "last", "submitted", "published", "completed", "actual", "request", "signed",
                       "install", "purchase", "created", "sent", "opened", "birth", "date"}))
    return -1;
  return 0;
}

Date date_value(RowContext& context, const FieldDef& field) {
  if (has_word(field, {"birth", "birthday"})) return days_from(context.today, -context.random.between(25 * 365, 60 * 365));
  switch (time_direction(field)) {
    case 1: return days_from(context.today, context.random.between(1, 180));
    case -1: return days_from(context.today, -context.random.between(0, 365));
    default: return days_from(context.today, context.random.between(-180, 180));
  }
}

DateTime datetime_value(RowContext& context, const FieldDef& field) {
  const Date day = date_value(context, field);
  const int hour = static_cast<int>(context.random.between(8, 17));
  const int quarter = static_cast<int>(context.random.between(0, 3));
  return at_time(day, hour, quarter * 15);
}

/// The largest magnitude a number field holds: its max, else a bound its name suggests, capped by
/// its precision.
double upper_bound(const FieldDef& field) {
  double bound = 1000;
  if (field.type == FieldType::percent || has_word(field, {"percent", "rate", "probability", "score", "progress"}))
    bound = 100;
  else if (has_word(field, {"quantity", "count", "headcount", "seats", "level", "days"}))
    bound = 20;
  else if (has_word(field, {"hours", "minutes"}))
    bound = 480;
  else if (has_word(field, {"salary", "bonus", "compensation"}))
    bound = 150'000;
  else if (field.type == FieldType::currency)
    bound = 50'000;
  if (field.max) bound = *field.max;
  const int integer_digits = field.precision.value_or(18) - field.scale;
  if (integer_digits < 15) bound = std::min(bound, std::pow(10.0, integer_digits) - 1);
  return bound;
}

double lower_bound(const FieldDef& field) {
  double bound = has_word(field, {"quantity", "headcount", "seats", "level", "priority", "interval"}) ? 1 : 0;
  if (has_word(field, {"salary"})) bound = 30'000;
  if (field.min) bound = std::max(bound, *field.min);
  return bound;
}

Value number_value(RowContext& context, const FieldDef& field) {
  double low = lower_bound(field);
  double high = upper_bound(field);
  if (has_word(field, {"year"})) low = high = std::clamp<double>(context.today.year(), low, high);
  if (high < low) high = low;
  // Draw in units of the field's last digit, so the value has exactly its scale.
  const int scale = field.type == FieldType::number ? std::min(field.scale, 4) : field.scale;
  const double unit = std::pow(10.0, scale);
  const auto low_units = static_cast<std::int64_t>(std::ceil(low * unit));
  const auto high_units = static_cast<std::int64_t>(std::floor(high * unit));
  const std::int64_t units = context.random.between(low_units, std::max(low_units, high_units));
  if (field.is_decimal()) return Decimal(units, scale);
  if (field.is_integer()) return units;
  return static_cast<double>(units) / unit;
}

const Place& place_of(RowContext& context) {
  // One place per record, so city, state, country and phone agree.
  return places[static_cast<std::size_t>(derive_seed(static_cast<std::uint64_t>(context.index), context.object.name) %
                                          places.size())];
}

std::string row_code(const RowContext& context) {
  std::string prefix;
  for (std::string_view word : name_words(context.object.name)) prefix += static_cast<char>(word[0] - 'a' + 'A');
  return fmt::format("{}-{:05}", prefix, context.index + 1);
}

std::string text_value(RowContext& context, const FieldDef& field) {
  const Place& place = place_of(context);
  if (field.name.ends_with("_json") || has_word(field, {"json"})) return "{}";
  if (has_word(field, {"first"})) return std::string(pick(context.random, first_names));
  if (has_word(field, {"last"}) && has_word(field, {"name"})) return std::string(pick(context.random, last_names));
  if (has_word(field, {"city"})) return std::string(place.city);
  if (has_word(field, {"state", "province"})) return std::string(place.state);
  if (has_word(field, {"country"})) return std::string(place.country);
  if (has_word(field, {"postal", "zip"})) return postal_code(context.random);
  if (has_word(field, {"street", "address"})) return fmt::format("{} {}", context.random.between(1, 999), place.street);
  if (has_word(field, {"zone", "timezone"})) return std::string(place.time_zone);
  if (has_word(field, {"locale", "language"})) return "en_US";
  if (has_word(field, {"currency"})) return "USD";
  if (has_word(field, {"code", "number", "sku", "key", "handle", "username", "slug", "token", "checksum", "sha256", "id"}))
    return row_code(context);
  if (field.type == FieldType::textarea ||
      has_word(field, {"description", "notes", "body", "content", "summary", "reason", "comment", "comments",
                       "message", "justification", "resolution", "details", "feedback", "text"}))
    return std::string(pick(context.random, business_sentences));
  if (has_word(field, {"title", "subject"})) {
    const std::string_view topic = pick(context.random, topics);
    return fmt::format("{}: {}", context.object.label, topic);
  }
  if (has_word(field, {"name"})) {
    const std::string_view adjective = pick(context.random, name_adjectives);
    return fmt::format("{} {}", adjective, context.object.label);
  }
  return fmt::format("{} {}", field.label.empty() ? field.name : field.label, context.index + 1);
}

std::string email_value(RowContext& context) {
  const std::string_view first = pick(context.random, first_names);
  const std::string_view last = pick(context.random, last_names);
  const std::string company = company_name(context.random);
  return unique_email(context.unique, first, last, company_domain(company));
}

/// A value of a unique field that no other record of this run has: the row number is appended,
/// after truncation so that it survives the field's maximum length.
std::string made_unique(const RowContext& context, const FieldDef& field, std::string text) {
  if (text == row_code(context)) return text;  // row codes already carry the row number
  const std::string suffix = fmt::format(" {}", context.index + 1);
  const std::size_t room = field.max_length ? static_cast<std::size_t>(*field.max_length) - suffix.size() : text.size();
  return truncate_utf8(std::move(text), room) + suffix;
}

}  // namespace

bool is_polymorphic_id(const ObjectDef& object, const FieldDef& field) {
  if (field.is_reference() || !field.name.ends_with("_id")) return false;
  const FieldDef* kind = object.find_field(field.name.substr(0, field.name.size() - 3) + "_object");
  return kind != nullptr && kind->type == FieldType::select;
}

bool is_generated(const FieldDef& field) {
  return field.is_stored() && !field.read_only && field.type != FieldType::autonumber && !field.rollup;
}

Value known_default(const FieldDef& field, Date today) {
  if (!field.default_value) return {};
  switch (field.default_value->kind) {
    case DefaultValue::Kind::literal: return field.default_value->literal;
    case DefaultValue::Kind::today: return today;
    case DefaultValue::Kind::now: return at_time(today, 9, 0);
    default: return {};
  }
}

bool RowContext::writable(std::string_view field) const {
  const FieldDef* found = object.find_field(field);
  return found != nullptr && !is_system_field(field) && is_generated(*found);
}

void RowContext::set(std::string_view field, Value value) {
  if (!writable(field)) return;
  if (value.is_null()) {
    record.erase(std::string(field));
    return;
  }
  record.insert_or_assign(std::string(field), std::move(value));
}

const Value& RowContext::get(std::string_view field) const {
  static const Value null_value;
  const auto found = record.find(field);
  return found == record.end() ? null_value : found->second;
}

std::optional<ParentRow> RowContext::parent(std::string_view field) const {
  const FieldDef* lookup = object.find_field(field);
  const Value& id = get(field);
  if (lookup == nullptr || !lookup->is_reference() || id.is_null()) return std::nullopt;
  const ObjectRows* rows = generated.find(lookup->reference);
  if (rows == nullptr) return std::nullopt;
  const auto row = rows->row_of(id.as_string());
  if (!row) return std::nullopt;
  return ParentRow{rows, *row};
}

std::optional<ParentRow> RowContext::any(std::string_view parent_object) {
  const ObjectRows* rows = generated.find(parent_object);
  if (rows == nullptr || rows->empty()) return std::nullopt;
  return ParentRow{rows, random.index_below(rows->size())};
}

void RowContext::link(std::string_view field, const std::optional<ParentRow>& target) {
  set(field, target ? Value(target->id()) : Value());
}

namespace {

/// The lookups already set on the record that constrain `field`: a parent of the new target
/// (the record's contact -> that contact's account) or a parent the new target must share
/// (the record's account -> one of its contacts).
struct Constraint {
  std::optional<std::string> implied_id;              ///< the target is this record
  const std::vector<std::size_t>* allowed = nullptr;  ///< the target is one of these rows
};

Constraint constraint_for(const RowContext& context, const FieldDef& field, const ObjectRows& targets) {
  Constraint constraint;
  const ObjectDef* target_object = context.catalog.find(field.reference);
  for (const FieldDef& other : context.object.fields) {
    if (!other.is_reference() || other.name == field.name || other.reference == field.reference ||
        other.reference == context.object.name)
      continue;
    const auto other_parent = context.parent(other.name);
    if (!other_parent) continue;
    // The record's other parent points to our target's object: the target is that record.
    if (const ObjectDef* other_object = context.catalog.find(other.reference)) {
      for (const FieldDef& path : other_object->fields) {
        if (!path.is_reference() || path.reference != field.reference) continue;
        const Value& implied = other_parent->value(path.name);
        if (!implied.is_null() && targets.row_of(implied.as_string())) {
          constraint.implied_id = implied.as_string();
          return constraint;
        }
      }
    }
    // Our target's object points to the record's other parent: the target is one of its children.
    if (target_object != nullptr && constraint.allowed == nullptr) {
      for (const FieldDef& path : target_object->fields) {
        if (!path.is_reference() || path.reference != other.reference) continue;
        const auto& rows = targets.rows_where(path.name, other_parent->id());
        constraint.allowed = &rows;
        break;
      }
    }
  }
  return constraint;
}

void fill_lookup(RowContext& context, const FieldDef& field) {
  const ObjectRows* targets = context.generated.find(field.reference);
  if (targets == nullptr || targets->empty()) return;
  const bool self_reference = field.reference == context.object.name;
  // Optional lookups are set on most records; hierarchies (a parent account) on a few.
  if (!field.required && !context.random.chance(self_reference ? 30 : 75)) return;
  const Constraint constraint = constraint_for(context, field, *targets);
  if (constraint.implied_id) {
    context.set(field.name, *constraint.implied_id);
  } else if (constraint.allowed != nullptr && !constraint.allowed->empty()) {
    const std::size_t row = (*constraint.allowed)[context.random.index_below(constraint.allowed->size())];
    context.set(field.name, targets->id(row));
  } else if (constraint.allowed == nullptr || field.required) {
    context.set(field.name, targets->id(context.random.index_below(targets->size())));
  }
}

/// `who_object` (a picklist of object names) + `who_id` (text): a reference to one of several
/// objects, as the seed's polymorphic lookups were normalised.
void fill_polymorphic_pairs(RowContext& context) {
  for (const FieldDef& kind : context.object.fields) {
    if (kind.type != FieldType::select || !kind.name.ends_with("_object")) continue;
    const std::string id_field = kind.name.substr(0, kind.name.size() - 7) + "_id";
    const FieldDef* id = context.object.find_field(id_field);
    if (id == nullptr || id->is_reference() || !is_generated(*id) || !is_generated(kind)) continue;
    if (!kind.required && !context.random.chance(70)) continue;
    std::vector<std::string_view> available;
    for (const PicklistOption& option : kind.options) {
      if (const ObjectRows* rows = context.generated.find(option.value); rows != nullptr && !rows->empty())
        available.push_back(option.value);
    }
    if (available.empty()) continue;
    const std::string_view target = available[context.random.index_below(available.size())];
    context.set(kind.name, target);
    context.set(id_field, context.any(target)->id());
  }
}

/// How many of the record's other lookup targets the target of `field` points to: a contact
/// (-> account) is more specific than an account, so it is chosen first and the account follows
/// from it.
int specificity(const RowContext& context, const FieldDef& field) {
  const ObjectDef* target = context.catalog.find(field.reference);
  if (target == nullptr || field.reference == context.object.name) return 0;
  int count = 0;
  for (const FieldDef& other : context.object.fields) {
    if (!other.is_reference() || other.reference == field.reference) continue;
    for (const FieldDef& path : target->fields) {
      if (path.is_reference() && path.reference == other.reference) {
        ++count;
        break;
      }
    }
  }
  return count;
}

}  // namespace

void fill_references(RowContext& context) {
  std::vector<const FieldDef*> lookups;
  for (const FieldDef& field : context.object.fields) {
    if (field.is_reference() && is_generated(field)) lookups.push_back(&field);
  }
  std::stable_sort(lookups.begin(), lookups.end(), [&](const FieldDef* a, const FieldDef* b) {
    return specificity(context, *a) > specificity(context, *b);
  });
  for (const FieldDef* field : lookups) fill_lookup(context, *field);
  fill_polymorphic_pairs(context);
}

Value generic_value(RowContext& context, const FieldDef& field) {
  switch (field.type) {
    case FieldType::select:
      return field.options.empty() ? Value() : Value(field.options[context.random.index_below(field.options.size())].value);
    case FieldType::multiselect: {
      StringList chosen;
      const auto wanted = static_cast<std::size_t>(context.random.between(1, 3));
      for (std::size_t i = 0; i < wanted && !field.options.empty(); ++i) {
        const std::string& option = field.options[context.random.index_below(field.options.size())].value;
        if (std::find(chosen.begin(), chosen.end(), option) == chosen.end()) chosen.push_back(option);
      }
      return chosen;
    }
    case FieldType::boolean: return context.random.chance(50);
    case FieldType::number:
    case FieldType::currency:
    case FieldType::percent: return number_value(context, field);
    case FieldType::date: return date_value(context, field);
    case FieldType::datetime: return datetime_value(context, field);
    case FieldType::email: return email_value(context);
    case FieldType::phone: return phone_number(context.random, place_of(context));
    case FieldType::url: return fmt::format("https://www.{}/{}", company_domain(company_name(context.random)),
                                            slug(context.object.name));
    case FieldType::text:
    case FieldType::textarea: {
      std::string text = text_value(context, field);
      if (field.max_length) text = truncate_utf8(std::move(text), static_cast<std::size_t>(*field.max_length));
      return field.unique ? Value(made_unique(context, field, std::move(text))) : Value(std::move(text));
    }
    default: return {};
  }
}

void fill_values(RowContext& context) {
  for (const FieldDef& field : context.object.fields) {
    if (field.is_reference() || !is_generated(field) || context.record.contains(field.name)) continue;
    if (is_polymorphic_id(context.object, field)) continue;  // set with its `_object` by fill_references
    // A state machine's state is the engine's: a new record starts in the initial state.
    if (context.object.state_machine && context.object.state_machine->field == field.name) continue;
    // Optional fields are filled on most records; a field with a default usually keeps it.
    if (!field.required && !context.random.chance(65)) continue;
    const Value fallback = known_default(field, context.today);
    if (!fallback.is_null() && context.random.chance(70)) {
      context.set(field.name, fallback);
      continue;
    }
    context.set(field.name, generic_value(context, field));
  }
}

}  // namespace hotcrm::inline v0::sample
