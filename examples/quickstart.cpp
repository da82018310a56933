// libhotcrm in five minutes: open a database, store records, handle a rejection, query.
//   example_quickstart [DB]   (default: quickstart.db in the current folder)
#include <hotcrm/hotcrm.hpp>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  std::filesystem::path path = argc > 1 ? argv[1] : "quickstart.db";
  std::filesystem::remove(path);
  auto db = hotcrm::Database::open(path);  // the standard catalog: user, account, contact, lead, opportunity

  auto acme = db.insert("account", {{"name", "Acme"}, {"industry", "technology"}});
  db.insert("opportunity", {{"name", "Acme renewal"},
                            {"account_id", acme},
                            {"stage", "negotiation"},
                            {"close_date", "2026-06-30"},
                            {"amount", hotcrm::Decimal::parse("125000.00")}});

  // A record with problems is rejected as a whole, with every problem named.
  try {
    db.insert("lead", {{"company", "Initech"}, {"email", "not-an-email"}, {"status", "hot"}});
  } catch (const hotcrm::ValidationError& error) {
    std::cout << "rejected:\n";
    for (const auto& problem : error.errors()) std::cout << "  " << hotcrm::to_string(problem) << "\n";
  }

  auto pipeline = db.query({.object = "opportunity",
                            .filter = hotcrm::parse_where("amount > 100000 AND stage != 'closed_lost'"),
                            .order_by = {{"amount", true}},
                            .fields = {"name", "account_id.name", "amount"}});
  for (std::size_t row = 0; row < pipeline.size(); ++row)
    std::cout << pipeline.rows.at(row, 0).to_display() << " (" << pipeline.rows.at(row, 1).to_display() << "): "
              << pipeline.rows.at(row, 2).to_display() << "\n";
  return pipeline.size() == 1 ? 0 : 1;
}
