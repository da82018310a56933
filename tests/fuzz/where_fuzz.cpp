// Fuzzes parse_where (and parse_order_by). Oracle: what parses must print as text that parses
// back to the same text.

#include "fuzz_driver.hpp"
#include "hotcrm/store/query.hpp"

int main(int argc, char** argv) {
  return hotcrm::fuzz::run(argc, argv, "where", [](std::string_view input) {
    try {
      hotcrm::parse_order_by(input);
    } catch (const hotcrm::Error&) {
    }
    const hotcrm::Filter filter = hotcrm::parse_where(input);
    const std::string printed = filter.to_string();
    std::string reprinted;
    try {
      reprinted = hotcrm::parse_where(printed).to_string();
    } catch (const hotcrm::Error& error) {
      hotcrm::fuzz::check(false, "to_string output does not parse: " + printed + " (" + error.what() + ")");
    }
    hotcrm::fuzz::check(reprinted == printed, "round trip changed '" + printed + "' into '" + reprinted + "'");
  });
}
