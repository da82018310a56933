// Fuzzes Catalog::from_json. Oracle: a catalog that loads prints (to_json) as canonical JSON that
// loads back to the same canonical JSON.

#include "fuzz_driver.hpp"
#include "hotcrm/model/catalog.hpp"

int main(int argc, char** argv) {
  return hotcrm::fuzz::run(argc, argv, "catalog", [](std::string_view input) {
    const hotcrm::Catalog catalog = hotcrm::Catalog::from_json(input, "<fuzz>");
    const std::string printed = catalog.to_json();
    std::string reprinted;
    try {
      reprinted = hotcrm::Catalog::from_json(printed, "<printed>").to_json();
    } catch (const hotcrm::Error& error) {
      hotcrm::fuzz::check(false, "to_json output does not load: " + std::string(error.what()));
    }
    hotcrm::fuzz::check(reprinted == printed, "catalog JSON round trip is not stable");
  });
}
