// Typed access: the standard catalog's generated structs instead of field-name strings. A misspelt
// field (lead.compnay) or picklist option (Lead::Status::contacetd) does not compile.
//   example_typed_access [DB]   (default: typed_access.db in the current folder)
#include <hotcrm/catalog/crm.hpp>
#include <hotcrm/hotcrm.hpp>

#include <filesystem>
#include <iostream>

using hotcrm::crm::Lead;

int main(int argc, char** argv) {
  std::filesystem::path path = argc > 1 ? argv[1] : "typed_access.db";
  std::filesystem::remove(path);
  auto db = hotcrm::Database::open(path);

  Lead lead;
  lead.last_name = "Ng";
  lead.company = "Acme";
  lead.email = "ng@acme.io";
  lead.industry = Lead::Industry::technology;
  lead.annual_revenue = hotcrm::Decimal::parse("2500000.00");
  const std::string id = db.insert(lead);  // unset members take the catalog's defaults

  Lead stored = db.get<Lead>(id);  // system fields come back read-only: *stored.version, *stored.created_at
  std::cout << *stored.id << ": " << *stored.company << ", status " << to_string(*stored.status) << ", version "
            << *stored.version << "\n";

  stored.status = Lead::Status::contacted;
  stored.rating = Lead::Rating::hot;
  db.update(stored, *stored.version);  // only if nobody changed it since it was read

  for (const Lead& hot : db.query<Lead>({.filter = hotcrm::parse_where("rating = 'hot'")}))
    std::cout << "hot lead: " << *hot.last_name << " at " << *hot.company << " ("
              << hot.annual_revenue.value_or(hotcrm::Decimal()).to_string() << ")\n";
  return db.get<Lead>(id).status == Lead::Status::contacted ? 0 : 1;
}
