// A consumer of the installed package: opens a database, stores a lead, reads it back.
#include <hotcrm/hotcrm.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  auto db = hotcrm::Database::open(argv[1]);
  auto id = db.insert("lead", {{"last_name", "Ng"}, {"company", "Acme"}, {"email", "ng@acme.io"}});
  auto lead = db.get("lead", id);
  std::cout << "hotcrm " << hotcrm::version() << ": lead " << id << " at " << lead.at("company").to_display()
            << "\n";
  return lead.at("company").as_string() == "Acme" ? 0 : 1;
}
