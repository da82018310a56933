// Product recommendations from basket co-occurrence: baskets are quotes (their lines) and invoices
// (the orders' lines); a candidate's score is the sum of its cosine similarities with the basket's
// products. Cosine (baskets of both / sqrt(baskets of each)) rather than lift (which divides by the
// candidate's own frequency and so ranks a product seen once with the basket above everything):
// cosine is bounded by 1 and needs a pair to be frequent relative to both products. A minimum
// support removes pairs seen once. Everything is read through queries, so the tenant applies.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "hotcrm/scoring/insights.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

constexpr std::size_t kInChunk = 5'000;  // values per IN (...) filter

/// A source of baskets: the line object and the field naming its basket.
struct Source {
  std::string object;
  std::string basket;
  char tag;  ///< keeps quote and invoice ids apart
};

std::vector<Source> sources(const Catalog& catalog, const RecommendOptions& options) {
  std::vector<Source> out;
  auto usable = [&](const char* object, const char* basket) {
    const ObjectDef* def = catalog.find(object);
    return def && def->find_field(basket) && def->find_field("product_id") && def->find_field(basket)->is_reference() &&
           def->find_field("product_id")->is_reference();
  };
  if (options.quotes && usable("quote_line_item", "quote_id")) out.push_back({"quote_line_item", "quote_id", 'q'});
  if (options.invoices && usable("invoice_line", "invoice_id")) out.push_back({"invoice_line", "invoice_id", 'i'});
  if (out.empty())
    throw UsageError(ErrorCode::usage, "recommendations need quote_line_item (quote_id, product_id) or invoice_line "
                                       "(invoice_id, product_id) in the catalog, and one of them chosen");
  return out;
}

/// Calls fn(first, second) for each row of `object` whose `field` is one of `values` (chunked).
template <class Fn>
void rows_with(Session& session, const std::string& object, const std::string& field, const std::vector<std::string>& values,
               const std::vector<std::string>& columns, Fn&& fn) {
  for (std::size_t first = 0; first < values.size(); first += kInChunk) {
    std::vector<Value> chunk;
    for (std::size_t i = first; i < std::min(values.size(), first + kInChunk); ++i) chunk.emplace_back(values[i]);
    Query query{.object = object, .filter = Filter::in(field, std::move(chunk)), .limit = 50'000, .fields = columns};
    while (true) {
      const ColumnarResult page = session.query_columns(query);
      for (std::size_t r = 0; r < page.rows; ++r) {
        if (!page.columns[0].valid[r] || !page.columns[1].valid[r]) continue;
        fn(page.columns[0].text_at(r), page.columns[1].text_at(r));
      }
      if (page.rows < static_cast<std::size_t>(*query.limit) || page.next_cursor.empty()) break;
      query.after = page.next_cursor;
    }
  }
}

}  // namespace

std::vector<ProductRecommendation> recommend_products(Session& session, std::span<const std::string> product_ids,
                                                      const RecommendOptions& options) {
  if (options.min_support < 1)
    throw UsageError(ErrorCode::usage, fmt::format("min_support {} must be at least 1", options.min_support));
  const std::vector<Source> from = sources(session.catalog(), options);
  const std::set<std::string> given(product_ids.begin(), product_ids.end());
  if (given.empty()) return {};
  const std::vector<std::string> given_list(given.begin(), given.end());

  // Baskets holding a given product, then every line of those baskets.
  std::map<std::string, std::set<std::string>> basket_products;  // basket -> products
  for (const auto& source : from) {
    std::vector<std::string> baskets;
    rows_with(session, source.object, "product_id", given_list, {source.basket, "product_id"},
              [&](std::string_view basket, std::string_view) { baskets.push_back(source.tag + std::string(basket)); });
    std::sort(baskets.begin(), baskets.end());
    baskets.erase(std::unique(baskets.begin(), baskets.end()), baskets.end());
    std::vector<std::string> raw;
    for (const auto& b : baskets) raw.push_back(b.substr(1));
    rows_with(session, source.object, source.basket, raw, {source.basket, "product_id"},
              [&](std::string_view basket, std::string_view product) {
                basket_products[source.tag + std::string(basket)].insert(std::string(product));
              });
  }
  // Co-occurrences of (given p, candidate c), and of c with any given product.
  std::map<std::pair<std::string, std::string>, std::int64_t> pairs;
  std::map<std::string, std::int64_t> together;
  for (const auto& [basket, products] : basket_products) {
    for (const auto& c : products) {
      if (given.count(c)) continue;
      for (const auto& p : products)
        if (given.count(p)) ++pairs[{p, c}];
      ++together[c];
    }
  }
  // Basket counts of the given products and of the candidates.
  std::vector<std::string> counted = given_list;
  for (const auto& [c, n] : together) counted.push_back(c);
  std::unordered_map<std::string, std::int64_t> baskets_of;
  for (const auto& source : from) {
    std::set<std::pair<std::string, std::string>> seen;  // (product, basket), a product twice on a quote counts once
    rows_with(session, source.object, "product_id", counted, {"product_id", source.basket},
              [&](std::string_view product, std::string_view basket) {
                if (seen.emplace(std::string(product), std::string(basket)).second) ++baskets_of[std::string(product)];
              });
  }
  // Scores, then names and activity of the candidates.
  std::map<std::string, ProductRecommendation> scored;
  for (const auto& [key, n] : pairs) {
    if (n < options.min_support) continue;
    const auto& [p, c] = key;
    const double cosine = static_cast<double>(n) / std::sqrt(static_cast<double>(baskets_of[p]) * static_cast<double>(baskets_of[c]));
    auto& r = scored[c];
    r.product_id = c;
    r.score += cosine;
    if (cosine > r.because_cosine || (cosine == r.because_cosine && (r.because.empty() || p < r.because))) {
      r.because = p;
      r.because_cosine = cosine;
    }
  }
  std::vector<std::string> ids;
  for (const auto& [c, r] : scored) ids.push_back(c);
  std::set<std::string> inactive;
  const ObjectDef* product = session.catalog().find("product");
  if (product && !ids.empty()) {
    const bool has_active = product->find_field("is_active") != nullptr;
    std::vector<std::string> columns{"id", "name"};
    if (has_active) columns.push_back("is_active");
    for (std::size_t first = 0; first < ids.size(); first += kInChunk) {
      std::vector<Value> chunk;
      for (std::size_t i = first; i < std::min(ids.size(), first + kInChunk); ++i) chunk.emplace_back(ids[i]);
      const ColumnarResult page = session.query_columns({.object = "product", .filter = Filter::in("id", std::move(chunk)),
                                                         .fields = columns});
      for (std::size_t r = 0; r < page.rows; ++r) {
        const std::string id(page.columns[0].text_at(r));
        if (page.columns[1].valid[r]) scored[id].name = std::string(page.columns[1].text_at(r));
        if (has_active && page.columns[2].valid[r] && page.columns[2].integers[r] == 0) inactive.insert(id);
      }
    }
  }
  std::vector<ProductRecommendation> out;
  for (auto& [c, r] : scored) {
    if (inactive.count(c)) continue;
    r.co_occurrences = together[c];
    r.baskets = baskets_of[c];
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const ProductRecommendation& a, const ProductRecommendation& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.co_occurrences != b.co_occurrences) return a.co_occurrences > b.co_occurrences;
    return a.product_id < b.product_id;
  });
  if (out.size() > options.limit) out.resize(options.limit);
  return out;
}

std::vector<ProductRecommendation> recommend_for_quote(Session& session, std::string_view quote_id,
                                                       const RecommendOptions& options) {
  if (!session.catalog().find("quote_line_item"))
    throw UsageError(ErrorCode::usage, "recommendations for a quote need the quote_line_item object");
  session.get("quote", quote_id);  // NotFoundError naming the quote
  std::vector<std::string> products;
  rows_with(session, "quote_line_item", "quote_id", {std::string(quote_id)}, {"product_id", "quote_id"},
            [&](std::string_view product, std::string_view) { products.emplace_back(product); });
  return recommend_products(session, products, options);
}

}  // namespace v0
}  // namespace hotcrm
