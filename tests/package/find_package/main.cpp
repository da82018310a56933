// A consumer of the installed package: opens a database, stores a lead, reads it back, both
// through generic records and through the installed typed headers (<hotcrm/catalog/crm.hpp>).
#include <hotcrm/catalog/crm.hpp>
#include <hotcrm/hotcrm.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  auto db = hotcrm::Database::open(argv[1]);
  auto id = db.insert("lead", {{"last_name", "Ng"}, {"company", "Acme"}, {"email", "ng@acme.io"}});
  auto lead = db.get("lead", id);
  std::cout << "hotcrm " << hotcrm::version() << ": lead " << id << " at " << lead.at("company").to_display()
            << "\n";

  hotcrm::crm::Lead typed;
  typed.last_name = "Okafor";
  typed.company = "Initech";
  typed.email = "okafor@initech.io";
  typed.rating = hotcrm::crm::Lead::Rating::warm;
  const auto typed_back = db.get<hotcrm::crm::Lead>(db.insert(typed));
  std::cout << "typed lead at " << *typed_back.company << ", rating " << to_string(*typed_back.rating) << "\n";
  return lead.at("company").as_string() == "Acme" && typed_back.rating == typed.rating ? 0 : 1;
}
