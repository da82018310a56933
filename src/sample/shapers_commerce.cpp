// Hand-written realism for the products and finance objects: a product catalogue priced in price
// books, quotes for opportunities in late stages with lines priced from the quote's price book,
// invoices of contracts with their lines, and payments planned over a contract.
#include <array>

#include <fmt/format.h>

#include "sample/profiles.hpp"

namespace hotcrm::inline v0::sample {
namespace {

struct Product {
  std::string_view name;
  std::string_view family;
  std::int64_t list_dollars;
  std::string_view unit;
};

constexpr std::array<Product, 20> products = {{
    {"HotCRM Platform Licence", "software", 1200, "license"},
    {"Analytics Add-on", "software", 400, "license"},
    {"Mobile Sales App", "software", 150, "license"},
    {"Marketing Automation Suite", "subscription", 900, "year"},
    {"Customer Portal", "subscription", 600, "year"},
    {"Premier Support", "support", 2500, "year"},
    {"Standard Support", "support", 900, "year"},
    {"Implementation Services", "professional_services", 180, "hour"},
    {"Data Migration", "professional_services", 4000, "set"},
    {"Solution Architecture Workshop", "consulting", 2200, "day"},
    {"Process Consulting", "consulting", 1600, "day"},
    {"Administrator Training", "training", 750, "day"},
    {"End-user Training", "training", 300, "day"},
    {"Edge Gateway Appliance", "hardware", 3200, "unit"},
    {"Barcode Scanner", "hardware", 240, "unit"},
    {"Integration Connector", "software", 800, "license"},
    {"Sandbox Environment", "subscription", 1200, "year"},
    {"Extra Storage 100 GB", "subscription", 120, "month"},
    {"AI Assistant", "software", 500, "license"},
    {"Health Check", "consulting", 3500, "set"},
}};

constexpr std::array<std::string_view, 3> pricebook_names = {"Standard Price Book", "Enterprise Price Book",
                                                             "Partner Price Book"};
/// The price of a product in each price book, in percent of its list price.
constexpr std::array<std::int64_t, 3> pricebook_percent = {100, 95, 80};

/// `amount` times `percent` / 100, in cents.
Decimal percent_of(const Decimal& amount, std::int64_t percent) {
  return Decimal::divide(amount * Decimal(percent, 0), Decimal(100, 0), 2);
}

/// `amount` times `percent` / 100, rounded to whole dollars. Prices in whole dollars keep every
/// line total exact in cents under a whole-percent discount, so that the quote's roll-up of its
/// lines fits the currency's two decimals.
Decimal whole_dollars_percent_of(const Decimal& amount, std::int64_t percent) {
  return Decimal::divide(amount * Decimal(percent, 0), Decimal(100, 0), 0).rescaled(2);
}

}  // namespace

void shape_product(RowContext& context) {
  const Product& product = products[static_cast<std::size_t>(context.index) % products.size()];
  const std::int64_t edition = context.index / static_cast<std::int64_t>(products.size());
  const Decimal list_price(product.list_dollars * 100 + (edition == 0 ? 0 : edition * 5000), 2);
  const std::int64_t cost_percent = context.random.between(20, 60);
  const bool active = !context.random.chance(5);
  context.set("name", edition == 0 ? std::string(product.name) : fmt::format("{} (edition {})", product.name, edition + 1));
  context.set("product_code", fmt::format("PRD-{:04}", context.index + 1));
  context.set("family", product.family);
  context.set("list_price", list_price);
  context.set("cost_price", percent_of(list_price, cost_percent));
  context.set("quantity_unit", product.unit);
  context.set("is_active", active);
}

void shape_pricebook(RowContext& context) {
  const auto slot = static_cast<std::size_t>(context.index) % pricebook_names.size();
  context.set("name", context.index < static_cast<std::int64_t>(pricebook_names.size())
                          ? std::string(pricebook_names[slot])
                          : fmt::format("Price Book {}", context.index + 1));
  context.set("is_active", true);
  context.set("is_standard", context.index == 0);
  context.set("currency", "usd");
  context.set("start_date", days_from(context.today, -365));
  context.set("end_date", days_from(context.today, 365));
}

void shape_pricebook_entry(RowContext& context) {
  // Entry i prices product i % products in price book i / products: every product in every book.
  const ObjectRows* books = context.generated.find("pricebook");
  const ObjectRows* items = context.generated.find("product");
  if (books == nullptr || items == nullptr || books->empty() || items->empty()) return;
  const auto product_row = static_cast<std::size_t>(context.index) % items->size();
  const auto book_row = static_cast<std::size_t>(context.index) / items->size() % books->size();
  context.link("product_id", ParentRow{items, product_row});
  context.link("pricebook_id", ParentRow{books, book_row});
  const Value& list_price = items->value(product_row, "list_price");
  if (list_price.is_null()) return;
  context.set("unit_price",
              whole_dollars_percent_of(list_price.as_decimal(), pricebook_percent[book_row % pricebook_percent.size()]));
  context.set("use_standard_price", book_row == 0);
  context.set("is_active", true);
}

void shape_quote(RowContext& context) {
  static constexpr std::array<std::string_view, 8> terms = {"net_30", "net_30", "net_60", "full_prepayment",
                                                            "50_50_split", "30_70_split", "net_90", "installments"};
  static constexpr std::array<std::int64_t, 5> tax_rates = {0, 5, 8, 10, 20};
  SampleRandom& random = context.random;
  // Quotes are made once a deal reaches the proposal stage.
  auto opportunity = context.parent("opportunity_id");
  for (int attempt = 0; attempt < 8 && opportunity; ++attempt) {
    const std::string stage = opportunity->text("stage");
    if (stage == "proposal" || stage == "negotiation" || stage == "closed_won" || stage == "closed_lost") break;
    opportunity = context.any("opportunity");
  }
  if (!opportunity) return;
  context.link("opportunity_id", opportunity);
  context.set("account_id", opportunity->value("account_id"));
  context.set("contact_id", opportunity->value("contact_id"));
  const std::string stage = opportunity->text("stage");
  static constexpr std::array<std::string_view, 4> open_statuses = {"draft", "in_review", "approved", "sent"};
  const std::string_view status = stage == "closed_won" ? "accepted" : stage == "closed_lost" ? "declined"
                                                                                              : pick(random, open_statuses);
  const Date close = opportunity->value("close_date").as_date();
  const Date quoted = std::min(context.today, days_from(close, -random.between(10, 40)));
  const std::int64_t discount = random.chance(60) ? random.between(0, 20) : 0;
  const std::int64_t tax = pick(random, tax_rates);
  const auto number = context.next_number(opportunity->id());
  context.set("name", truncate_utf8(fmt::format("{} - Quote {}", opportunity->text("name"), number), 255));
  context.set("status", status);
  context.set("quote_date", quoted);
  context.set("expiration_date", days_from(quoted, 30));
  context.set("discount_percent", Decimal(discount, 0));
  context.set("tax_percent", Decimal(tax, 0));
  context.set("shipping_handling", Decimal(0, 2));
  context.set("currency_code", "usd");
  if (const FieldDef* rate = context.object.find_field("exchange_rate"))
    context.set("exchange_rate", rate->is_integer() ? Value(1) : Value(1.0));
  context.set("payment_terms", pick(random, terms));
  context.set("is_primary_quote", number == 1);
}

void shape_quote_line_item(RowContext& context) {
  SampleRandom& random = context.random;
  if (!context.parent("quote_id")) context.link("quote_id", context.any("quote"));
  const auto quote = context.parent("quote_id");
  const ObjectRows* entries = context.generated.find("pricebook_entry");
  if (!quote || entries == nullptr) return;
  // Price the line from the quote's price book, as a sales rep picking from it would.
  const auto& in_book = entries->rows_where("pricebook_id", quote->text("pricebook_id"));
  if (in_book.empty()) return;
  const ParentRow entry{entries, in_book[random.index_below(in_book.size())]};
  const Value& price = entry.value("unit_price");
  if (price.is_null()) return;
  context.link("pricebook_entry_id", entry);
  context.set("product_id", entry.value("product_id"));
  context.set("product_bundle_id", Value());
  context.set("price_rule_id", Value());
  context.set("required_by_line_item_id", Value());
  context.set("bundle_parent_id", Value());
  context.set("line_number", context.next_number(quote->id()));
  context.set("quantity", random.between(1, 20));
  context.set("list_price", price);
  context.set("unit_price", price);
  const std::int64_t discount_kind = random.between(1, 10);
  context.set("discount_type", discount_kind <= 7 ? "none" : discount_kind <= 9 ? "percentage" : "amount_per_unit");
  context.set("discount_percent", discount_kind == 8 || discount_kind == 9 ? Value(Decimal(random.between(5, 15), 0)) : Value());
  context.set("discount_amount", discount_kind == 10 ? Value(percent_of(price.as_decimal(), 5)) : Value());
  context.set("tax_percent", quote->value("tax_percent"));
  const bool recurring = random.chance(40);
  const Date start = quote->value("quote_date").is_null() ? context.today : quote->value("quote_date").as_date();
  context.set("billing_frequency", recurring ? "annual" : "one_time");
  context.set("service_start_date", recurring ? Value(days_from(start, 30)) : Value());
  context.set("service_end_date", recurring ? Value(days_from(start, 395)) : Value());
  context.set("status", "active");
}

void shape_invoice(RowContext& context) {
  static constexpr std::array<std::string_view, 4> statuses = {"draft", "posted", "paid", "void"};
  static constexpr std::array<int, 4> status_weights = {15, 35, 45, 5};
  static constexpr std::array<std::string_view, 4> terms = {"due_on_receipt", "net_15", "net_30", "net_60"};
  static constexpr std::array<std::int64_t, 4> term_days = {0, 15, 30, 60};
  // An invoice bills a contract of its account.
  if (!context.parent("contract_id")) context.link("contract_id", context.any("contract"));
  if (const auto contract = context.parent("contract_id")) context.set("account_id", contract->value("account_id"));
  const std::size_t term = context.random.index_below(terms.size());
  const std::string_view status = pick_weighted(context.random, statuses, status_weights);
  // Paid and void invoices are old; drafts are due after today.
  const std::int64_t due = status == "draft" ? context.random.between(15, 60) : -context.random.between(-30, 300);
  context.set("status", status);
  context.set("payment_terms", terms[term]);
  context.set("due_date", days_from(context.today, due + term_days[term] / 2));
}

void shape_invoice_line(RowContext& context) {
  if (!context.parent("invoice_id")) context.link("invoice_id", context.any("invoice"));
  if (!context.parent("product_id")) context.link("product_id", context.any("product"));
  const auto product = context.parent("product_id");
  const std::int64_t quantity = context.random.between(1, 10);
  context.set("quantity", quantity);
  if (!product) return;
  context.set("description", product->value("name"));
  context.set("unit_price", product->value("list_price"));
}

void shape_payment(RowContext& context) {
  static constexpr std::array<std::string_view, 5> types = {"down_payment", "milestone_payment", "delivery_payment",
                                                            "final_payment", "recurring_payment"};
  static constexpr std::array<std::string_view, 4> methods = {"bank_transfer", "credit_card", "check", "bank_transfer"};
  SampleRandom& random = context.random;
  // A payment is one of the instalments of a contract; account and deal follow from it.
  auto contract = context.parent("contract_id");
  if (!contract) contract = context.any("contract");
  if (!contract) return;
  context.link("contract_id", contract);
  context.set("account_id", contract->value("account_id"));
  context.set("opportunity_id", contract->value("opportunity_id"));
  context.set("quote_id", Value());
  const auto instalment = context.next_number(contract->id());
  const Decimal value = contract->value("contract_value").as_decimal();
  const Decimal planned = Decimal::divide(value, Decimal(4, 0), 2);
  const Date start = contract->value("start_date").as_date();
  const Date planned_date = days_from(start, (instalment - 1) * 90);
  const bool due = planned_date <= context.today;
  const bool received = due && random.chance(80);
  context.set("name", truncate_utf8(fmt::format("Instalment {} of the contract of {}", instalment, start.to_string()), 255));
  context.set("type", types[std::min<std::size_t>(static_cast<std::size_t>(instalment - 1), types.size() - 1)]);
  context.set("planned_amount", planned.units() > 0 ? planned : Decimal(10'000, 2));
  context.set("planned_date", planned_date);
  context.set("status", received ? "received" : due ? "overdue" : "planned");
  context.set("received_amount", received ? Value(planned) : Value());
  context.set("actual_date", received ? Value(std::min(context.today, days_from(planned_date, random.between(0, 20)))) : Value());
  context.set("payment_method", received ? Value(pick(random, methods)) : Value());
  // A received instalment may settle an invoice of its own contract; any other link is dropped.
  const auto invoice = context.parent("invoice_id");
  if (!received || !invoice || invoice->value("contract_id") != Value(contract->id())) context.set("invoice_id", Value());
}

}  // namespace hotcrm::inline v0::sample
