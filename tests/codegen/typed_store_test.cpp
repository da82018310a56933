// Typed access end to end: the standard catalog's generated structs (<hotcrm/catalog/crm.hpp>) and
// the small user catalog's golden header, through real SQLite files.
#include <doctest/doctest.h>

#include <hotcrm/catalog/crm.hpp>
#include <hotcrm/catalog/support.hpp>

#include "codegen/expected/small_catalog.hpp"
#include "hotcrm/hotcrm.hpp"
#include "support/temp_db.hpp"

using namespace hotcrm;
using crm::Lead;
using crm::Opportunity;

namespace {

OpenOptions fixed_options() {
  OpenOptions options;
  options.clock = fixed_clock(DateTime::parse("2026-03-04T05:06:07Z"));
  options.id_seed = 7;
  return options;
}

Lead sample_lead() {
  Lead lead;
  lead.last_name = "Ng";
  lead.company = "Acme";
  lead.email = "ng@acme.io";
  lead.status = Lead::Status::contacted;
  lead.industry = Lead::Industry::technology;
  lead.annual_revenue = Decimal::parse("2500000.50");
  lead.number_of_employees = 120;
  lead.is_in_public_pool = false;
  lead.pool_entry_date = DateTime::parse("2026-01-02T03:04:05Z");
  return lead;
}

}  // namespace

TEST_CASE("a typed lead round-trips through a database file" * doctest::test_suite("codegen")) {
  test::TempDir dir;
  const auto path = dir.file("typed.db");
  const Lead lead = sample_lead();
  std::string id;
  {
    auto db = Database::open(path, fixed_options());
    id = db.insert(lead);
  }
  auto db = Database::open(path, fixed_options());  // reopened: the values came from the file
  const Lead stored = db.get<Lead>(id);
  CHECK(*stored.id == id);
  CHECK(*stored.version == 1);
  CHECK(*stored.created_at == DateTime::parse("2026-03-04T05:06:07Z"));
  CHECK(stored.owner_id == "system");
  CHECK(stored.last_name == "Ng");
  CHECK(stored.company == "Acme");
  CHECK(stored.status == Lead::Status::contacted);
  CHECK(stored.industry == Lead::Industry::technology);
  CHECK(stored.annual_revenue == Decimal::parse("2500000.50"));
  CHECK(stored.number_of_employees == 120);
  CHECK(stored.pool_entry_date == DateTime::parse("2026-01-02T03:04:05Z"));
  CHECK(stored.lead_score == 0);  // a default the engine filled in
  CHECK(!stored.rating);          // never set, still empty
  CHECK(!*stored.is_converted);   // read-only, set by the engine

  // Every writable member that was set went in and came back unchanged.
  Record written = to_record(lead);
  Record read_back = to_record(stored);
  for (const auto& [field, value] : written) CHECK_MESSAGE(read_back.at(field) == value, field);
  CHECK(Lead::from_record(db.get("lead", id)) == stored);
}

TEST_CASE("typed update, find and query" * doctest::test_suite("codegen")) {
  test::TempDir dir;
  auto db = Database::open(dir.file("typed.db"), fixed_options());
  Lead lead = db.get<Lead>(db.insert(sample_lead()));
  lead.status = Lead::Status::qualified;
  lead.rating = Lead::Rating::hot;
  CHECK(db.update(lead) == 2);
  CHECK(db.update(lead, 2) == 3);  // optimistic concurrency with the version read
  CHECK_THROWS_AS(db.update(lead, 2), ConflictError);

  auto found = db.find<Lead>(*lead.id);
  REQUIRE(found);
  CHECK(found->rating == Lead::Rating::hot);
  CHECK(*found->version == 3);
  CHECK_FALSE(db.find<Lead>("no-such-id"));
  CHECK_THROWS_AS(db.get<Lead>("no-such-id"), NotFoundError);

  Lead other = sample_lead();
  other.last_name = "Okafor";
  other.email = "okafor@acme.io";
  db.insert(other);
  auto hot = db.query<Lead>({.filter = parse_where("rating = 'hot'")});
  REQUIRE(hot.size() == 1);
  CHECK(hot[0].last_name == "Ng");
  auto by_name = db.query<Lead>({.order_by = {{"last_name", true}}});
  REQUIRE(by_name.size() == 2);
  CHECK(by_name[0].last_name == "Okafor");
  CHECK_THROWS_AS(db.query<Lead>({.object = "account"}), UsageError);
  CHECK_THROWS_AS(db.update(Lead{}), UsageError);  // no id: nothing to update
}

TEST_CASE("a typed update clears the fields marked with clear()" * doctest::test_suite("codegen")) {
  test::TempDir dir;
  auto db = Database::open(dir.file("typed.db"), fixed_options());
  Lead lead = sample_lead();
  lead.rating = Lead::Rating::hot;
  lead.title = "CTO";
  Lead stored = db.get<Lead>(db.insert(lead));
  REQUIRE(stored.rating);

  stored.clear(Lead::Clearable::rating).clear(Lead::Clearable::industry);
  CHECK_FALSE(stored.rating);  // the member is emptied at once
  CHECK_FALSE(stored.industry);
  CHECK(stored.cleared == std::vector<Lead::Clearable>{Lead::Clearable::rating, Lead::Clearable::industry});
  CHECK(to_string(Lead::Clearable::annual_revenue) == "annual_revenue");
  Record changes = to_record(stored);
  CHECK(changes.at("rating").is_null());
  CHECK(changes.at("industry").is_null());
  CHECK(changes.at("title") == Value("CTO"));  // the others are sent as before

  db.update(stored);
  const Lead after = db.get<Lead>(*stored.id);
  CHECK_FALSE(after.rating);
  CHECK_FALSE(after.industry);
  CHECK(after.title == "CTO");
  CHECK(after.company == "Acme");
  CHECK(db.get("lead", *stored.id).at("rating").is_null());
  CHECK(after.cleared.empty());  // read back: nothing marked

  // A value given after clear() wins: the member is sent, not null.
  Lead again = after;
  again.clear(Lead::Clearable::title);
  again.title = "CEO";
  CHECK(to_record(again).at("title") == Value("CEO"));
  db.update(again);
  CHECK(db.get<Lead>(*stored.id).title == "CEO");

  // Clearing what a rule needs is refused like any other write, and changes nothing.
  Lead no_contact = db.get<Lead>(*stored.id);
  no_contact.clear(Lead::Clearable::email);
  CHECK_THROWS_AS(db.update(no_contact), ValidationError);
  CHECK(db.get<Lead>(*stored.id).email == "ng@acme.io");
}

TEST_CASE("writes the store refuses are not sent, and rejections stay typed errors" * doctest::test_suite("codegen")) {
  test::TempDir dir;
  auto db = Database::open(dir.file("typed.db"), fixed_options());
  Lead lead;
  lead.company = "Acme";  // no last name, no e-mail or phone
  CHECK_THROWS_AS(db.insert(lead), ValidationError);
  Record record = to_record(sample_lead());
  CHECK(record.count("id") == 0);            // system fields are never written
  CHECK(record.count("is_converted") == 0);  // read-only fields neither
  CHECK(record.at("status") == Value("contacted"));
  CHECK(record.count("rating") == 0);        // unset members are left to the engine's defaults
}

TEST_CASE("formula and roll-up members are read, never written" * doctest::test_suite("codegen")) {
  test::TempDir dir;
  auto db = Database::open(dir.file("typed.db"), fixed_options());
  crm::Account account;
  account.name = "Acme";
  const std::string account_id = db.insert(account);
  Opportunity deal;
  deal.name = "Renewal";
  deal.account_id = account_id;
  deal.stage = Opportunity::Stage::negotiation;
  deal.close_date = Date::parse("2026-06-30");
  deal.amount = Decimal::parse("1000.00");
  const Opportunity stored = db.get<Opportunity>(db.insert(deal));
  CHECK(stored.probability == Decimal::parse("80"));  // the stage table's default
  REQUIRE(stored.expected_revenue.has_value());
  CHECK(*stored.expected_revenue == Decimal::parse("800"));
  CHECK(to_record(stored).count("expected_revenue") == 0);
  CHECK(db.get<crm::Account>(account_id).contract_value == Decimal::parse("0"));  // roll-up
}

TEST_CASE("multiselect members hold enums in stored order" * doctest::test_suite("codegen")) {
  using support::SlaTemplate;
  SlaTemplate sla;
  sla.applicable_priorities = {SlaTemplate::ApplicablePriorities::high, SlaTemplate::ApplicablePriorities::low};
  Record record = to_record(sla);
  CHECK(record.at("applicable_priorities") == Value(StringList{"high", "low"}));
  record["id"] = "x";
  CHECK(SlaTemplate::from_record(record).applicable_priorities == sla.applicable_priorities);
  CHECK(to_string(SlaTemplate::ApplicablePriorities::high) == "high");
  CHECK(SlaTemplate::applicable_priorities_from_string("low") == SlaTemplate::ApplicablePriorities::low);
  CHECK_FALSE(SlaTemplate::applicable_priorities_from_string("LOW"));
}

TEST_CASE("from_record names object and field of a value that does not fit" * doctest::test_suite("codegen")) {
  auto message = [](const Record& record) {
    try {
      (void)Lead::from_record(record);
    } catch (const SchemaError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(message({{"status", "hot"}}).find("lead.status: 'hot' is not an option") != std::string::npos);
  CHECK(message({{"company", std::int64_t{12}}}).find("lead.company: expected text, found integer 12") !=
        std::string::npos);
  CHECK(message({{"annual_revenue", 1.5}}).find("lead.annual_revenue: expected a decimal") != std::string::npos);
  CHECK(message({{"number_of_employees", "many"}}).find("lead.number_of_employees: expected an integer") !=
        std::string::npos);
  CHECK(message({{"company", nullptr}, {"unknown_field", 1}}) == "no error");  // nulls and extra fields are fine
  // Integers widen into decimal members without loss.
  CHECK(Lead::from_record({{"annual_revenue", std::int64_t{5}}}).annual_revenue == Decimal::parse("5"));
}

TEST_CASE("a user catalog's generated structs work against its database" * doctest::test_suite("codegen")) {
  using namespace inventory;
  test::TempDir dir;
  OpenOptions options = fixed_options();
  options.catalog = Catalog::load(HOTCRM_SOURCE_DIR "/tests/codegen/fixtures/small_catalog.json");
  auto db = Database::open(dir.file("inventory.db"), options);
  Maker maker;
  maker.name = "Widgets Ltd";
  const std::string maker_id = db.insert(maker);

  Gadget gadget;
  gadget.name = "Sprocket";
  gadget.class_ = Gadget::Class::_24x7;
  gadget.tags = {Gadget::Tags::blue, Gadget::Tags::red};
  gadget.weight = 1.25;
  gadget.units = 3;
  gadget.price = Decimal::parse("9.99");
  gadget.discount = Decimal::parse("12.5");
  gadget.active = true;
  gadget.launched_on = Date::parse("2025-12-01");
  gadget.reviewed_at = DateTime::parse("2026-02-01T10:00:00Z");
  gadget.contact_email = "sales@widgets.io";
  gadget.maker_id = maker_id;
  gadget.result = "ok";
  gadget.record = "r-1";
  gadget.class_from_string = "not a parser";
  const Gadget stored = db.get<Gadget>(db.insert(gadget));

  CHECK(stored.class_ == Gadget::Class::_24x7);
  CHECK(to_string(*stored.class_) == "24x7");
  CHECK(Gadget::class_from_string_2("new_") == Gadget::Class::new_2);
  CHECK(Gadget::class_from_string_2("new") == Gadget::Class::new_);
  CHECK(stored.tags == gadget.tags);
  CHECK(stored.weight == 1.25);
  CHECK(stored.price == Decimal::parse("9.99"));
  CHECK(stored.discount == Decimal::parse("12.5"));
  CHECK(stored.active == true);
  CHECK(stored.launched_on == Date::parse("2025-12-01"));
  CHECK(stored.maker_id == maker_id);
  CHECK(*stored.serial == "G-0001");
  CHECK(!stored.audited);  // read-only and never set by anyone here
  CHECK(*stored.total == Decimal::parse("29.97"));
  CHECK(stored.result == "ok");
  CHECK(stored.record == "r-1");
  CHECK(stored.class_from_string == "not a parser");
  CHECK(*db.get<Maker>(maker_id).gadget_count == 1);

  // The generator's clear names yield to the fields that already have them.
  Gadget changed = stored;
  changed.clear = "a field";
  changed.clearable = Gadget::Clearable::yes;
  changed.clear_2(Gadget::Clearable_2::tags).clear_2(Gadget::Clearable_2::maker_id);
  CHECK(changed.tags.empty());
  db.update(changed);
  const Gadget cleared = db.get<Gadget>(*stored.id);
  CHECK(cleared.tags.empty());
  CHECK_FALSE(cleared.maker_id);
  CHECK(cleared.clear == "a field");
  CHECK(cleared.clearable == Gadget::Clearable::yes);
  CHECK(*db.get<Maker>(maker_id).gadget_count == 0);  // the roll-up followed the cleared lookup
}
