// Fuzzes Value::from_json. Oracle: a parsed value prints (to_json) as JSON that parses back to an
// equal value of the same kind.

#include <cmath>

#include "fuzz_driver.hpp"
#include "hotcrm/value.hpp"

int main(int argc, char** argv) {
  return hotcrm::fuzz::run(argc, argv, "json_value", [](std::string_view input) {
    const hotcrm::Value value = hotcrm::Value::from_json(input);
    if (value.kind() == hotcrm::ValueKind::real && !std::isfinite(value.as_double())) return;
    const std::string printed = value.to_json();
    hotcrm::Value again;
    try {
      again = hotcrm::Value::from_json(printed);
    } catch (const hotcrm::Error& error) {
      hotcrm::fuzz::check(false, "to_json output does not parse: " + printed + " (" + error.what() + ")");
    }
    hotcrm::fuzz::check(again.kind() == value.kind() && again == value,
                        "JSON round trip changed the value: " + printed + " -> " + again.to_json());
    (void)value.to_display();
  });
}
