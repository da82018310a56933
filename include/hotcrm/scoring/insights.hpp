#pragma once
// Product recommendations from quote and invoice line co-occurrence, and the sentiment of text
// (case comments, e-mails) by a lexicon with negation and intensifiers. See docs/scoring.md,
// "Product recommendations" and "Sentiment".

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/store/database.hpp"

namespace hotcrm {
inline namespace v0 {

// ---- product recommendations -------------------------------------------------------------------

struct RecommendOptions {
  std::size_t limit = 5;          ///< recommendations returned
  std::int64_t min_support = 2;   ///< a pair counts only when it shares at least this many baskets
  bool quotes = true;             ///< quote lines (quote_line_item by quote_id) are baskets
  bool invoices = true;           ///< invoice lines (invoice_line by invoice_id) are baskets: the orders
};

/// A product to offer next to a basket of products.
struct ProductRecommendation {
  std::string product_id;
  std::string name;                  ///< the product's name
  double score = 0.0;                ///< sum over the basket's products p of cosine(p, this)
  std::int64_t co_occurrences = 0;   ///< baskets holding it and at least one of the basket's products
  std::int64_t baskets = 0;          ///< baskets holding it
  std::string because;               ///< the basket's product with the largest cosine
  double because_cosine = 0.0;
};

/// Products often bought with `product_ids` and not among them, strongest first: cosine(p, c) =
/// baskets(p and c) / sqrt(baskets(p) x baskets(c)) over the pairs sharing at least min_support
/// baskets, summed over the given products p. Ties: more co-occurrences, then the product id.
/// Reads the lines in the session's tenant; inactive products (is_active false) are left out.
std::vector<ProductRecommendation> recommend_products(Session& session, std::span<const std::string> product_ids,
                                                      const RecommendOptions& options = {});
/// recommend_products for the products on a quote's lines. Throws NotFoundError for an unknown quote.
std::vector<ProductRecommendation> recommend_for_quote(Session& session, std::string_view quote_id,
                                                       const RecommendOptions& options = {});

// ---- sentiment ---------------------------------------------------------------------------------

/// One lexicon word found in a text and what it added to the total.
struct SentimentTerm {
  std::string word;          ///< as it appears (lowercased)
  double valence = 0.0;      ///< the lexicon's valence, -4 .. +4
  double weight = 1.0;       ///< intensifiers, contrast, emphasis (capitals, exclamation marks)
  bool negated = false;      ///< a negation in the 3 words before it, within the clause
  double contribution = 0.0; ///< valence x weight, x -0.6 when negated
};

/// The sentiment of a text: total = sum of the terms' contributions (an exact, additive
/// explanation), score = tanh(total / 4) in [-1, 1], label positive (score >= 0.2), negative
/// (<= -0.2, "angry" when anger words or repeated exclamations go with it) or neutral.
struct Sentiment {
  double score = 0.0;
  double total = 0.0;
  std::string label = "neutral";
  std::vector<SentimentTerm> terms;
};

/// Scores `text` with hotcrm's own lexicon (about 400 words of customer and sales language; English).
Sentiment analyze_sentiment(std::string_view text);

struct SentimentOptions {
  /// A picklist field to write each record's label into (positive, neutral, negative, angry; angry
  /// falls back to negative when the field has no such option). Empty: nothing is written.
  std::string write_field;
  ProgressCallback on_progress;
};

/// Sentiment of the records of `object` matching `filter`, from its text field `field`.
struct SentimentRun {
  std::vector<std::string> ids;
  std::vector<double> scores;
  std::vector<std::string> labels;
  std::int64_t written = 0;  ///< records whose write_field changed
};

/// Reads `field` (a text or textarea field) of the matching records page by page; blank texts are
/// neutral. With write_field, the labels are written (as the engine: read-only fields such as
/// case_comment.ai_sentiment accept them) in one transaction.
SentimentRun score_sentiment(Session& session, std::string_view object, std::string_view field,
                             const Filter& filter = Filter::all(), const SentimentOptions& options = {});

}  // namespace v0
}  // namespace hotcrm
