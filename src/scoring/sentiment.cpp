// Lexicon-based sentiment: words of hotcrm's own lexicon, scaled by the intensifiers and softeners
// before them, flipped and damped by a negation within three words of the same clause, weighted
// after a contrast ("fine, but slow": the clause after "but" counts more), by capitals and by
// exclamation marks; the total is the sum of the terms, squashed into [-1, 1] by tanh.
#include "store/impl.hpp"
#include "scoring/sentiment_lexicon.hpp"
#include "workflow/engine.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "hotcrm/error.hpp"
#include "hotcrm/scoring/insights.hpp"

namespace hotcrm {
inline namespace v0 {

namespace {

constexpr double kNegation = -0.6;        // "not good" is milder than "bad"
constexpr double kBeforeContrast = 0.6;   // "good, but ..."
constexpr double kAfterContrast = 1.4;    // "..., but slow"
constexpr double kCapitals = 1.25;        // "BROKEN" in a text that is not all capitals
constexpr double kPerExclamation = 0.1;   // per "!" ending the sentence, at most three
constexpr double kSquash = 4.0;           // score = tanh(total / 4)
constexpr std::size_t kNegationWindow = 3;

struct Token {
  std::string word;  ///< lowercase letters, digits, apostrophes removed
  bool capitals = false;
  std::size_t sentence = 0;
  std::size_t clause = 0;  ///< commas, semicolons and colons end a clause (and a negation's reach)
};

struct Sentence {
  std::size_t exclamations = 0;
  std::size_t contrast = SIZE_MAX;  ///< token index of the first contrast word
};

struct Lexicon {
  std::unordered_map<std::string, double> valence;
  std::unordered_map<std::string, double> modifiers;
  std::unordered_set<std::string> negators, contrasts, anger;

  Lexicon() {
    for (const auto& entry : hotcrm::detail::sentiment_lexicon()) valence.emplace(entry.word, entry.value);
    for (const auto& entry : hotcrm::detail::sentiment_modifiers()) modifiers.emplace(entry.word, entry.value);
    negators.insert(hotcrm::detail::sentiment_negators().begin(), hotcrm::detail::sentiment_negators().end());
    contrasts.insert(hotcrm::detail::sentiment_contrasts().begin(), hotcrm::detail::sentiment_contrasts().end());
    anger.insert(hotcrm::detail::anger_words().begin(), hotcrm::detail::anger_words().end());
  }

  /// The valence of a word or of its stem (plural, past tense, -ing, -ly), and the lexicon form.
  const std::pair<const std::string, double>* find(const std::string& word) const {
    if (auto it = valence.find(word); it != valence.end()) return &*it;
    auto stem = [&](std::size_t cut, std::string_view add = {}) -> const std::pair<const std::string, double>* {
      if (word.size() <= cut + 2) return nullptr;
      auto it = valence.find(word.substr(0, word.size() - cut) + std::string(add));
      return it == valence.end() ? nullptr : &*it;
    };
    const auto ends = [&](std::string_view suffix) { return word.size() > suffix.size() && word.ends_with(suffix); };
    if (ends("s")) {
      if (auto hit = stem(1)) return hit;
      if (ends("es")) if (auto hit = stem(2)) return hit;
    }
    if (ends("ed")) {
      if (auto hit = stem(1)) return hit;  // "praised" -> "praise"
      if (auto hit = stem(2)) return hit;  // "crashed" -> "crash"
    }
    if (ends("ing")) {
      if (auto hit = stem(3)) return hit;
      if (auto hit = stem(3, "e")) return hit;
    }
    if (ends("ly")) {
      if (auto hit = stem(2)) return hit;
    }
    return nullptr;
  }
};

const Lexicon& lexicon() {
  static const Lexicon instance;
  return instance;
}

/// Words of the text with their sentence and clause; exclamation marks per sentence. Bytes above
/// 0x7f (UTF-8) are kept inside words, so other scripts are tokens the lexicon does not know.
std::vector<Token> tokenize(std::string_view text, std::vector<Sentence>& sentences) {
  std::vector<Token> tokens;
  sentences.assign(1, Sentence{});
  std::size_t clause = 0;
  std::string word;
  bool all_upper = true, any_letter = false;
  auto flush = [&] {
    if (word.empty()) return;
    Token token;
    token.capitals = any_letter && all_upper && word.size() >= 2;
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    token.word = std::move(word);
    token.sentence = sentences.size() - 1;
    token.clause = clause;
    tokens.push_back(std::move(token));
    word.clear();
    all_upper = true;
    any_letter = false;
  };
  for (char raw : text) {
    const auto c = static_cast<unsigned char>(raw);
    if (std::isalnum(c) || c >= 0x80) {
      if (std::isalpha(c)) {
        any_letter = true;
        all_upper = all_upper && std::isupper(c);
      }
      word += raw;
    } else if (c == '\'' && !word.empty()) {
      continue;  // "don't" -> "dont"
    } else {
      flush();
      if (c == '.' || c == '!' || c == '?' || c == '\n') {
        if (c == '!' && !tokens.empty()) ++sentences[tokens.back().sentence].exclamations;
        if (!tokens.empty() && tokens.back().sentence == sentences.size() - 1) sentences.push_back(Sentence{});
        ++clause;
      } else if (c == ',' || c == ';' || c == ':') {
        ++clause;
      }
    }
  }
  flush();
  return tokens;
}

}  // namespace

Sentiment analyze_sentiment(std::string_view text) {
  const Lexicon& words = lexicon();
  std::vector<Sentence> sentences;
  std::vector<Token> tokens = tokenize(text, sentences);
  bool shouting = true;
  for (const auto& token : tokens) shouting = shouting && token.capitals;
  for (std::size_t i = 0; i < tokens.size(); ++i)
    if (words.contrasts.count(tokens[i].word) && sentences[tokens[i].sentence].contrast == SIZE_MAX)
      sentences[tokens[i].sentence].contrast = i;

  Sentiment out;
  std::size_t exclamations = 0;
  for (const auto& sentence : sentences) exclamations += sentence.exclamations;
  bool angry_word = false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    const auto* hit = words.find(token.word);
    if (!hit || words.modifiers.count(token.word)) continue;
    if (i + 1 < tokens.size() && words.modifiers.count(token.word + " " + tokens[i + 1].word)) continue;  // "kind of"
    double weight = 1.0;
    bool negated = false;
    // Up to three words back within the clause: the two nearest modifiers scale (a two-word one,
    // "a bit", counts once), negations flip (twice: undone); another sentiment word ends the scope.
    std::size_t modifier_words = 0;
    for (std::size_t back = 1; back <= kNegationWindow && back <= i; ++back) {
      const Token& before = tokens[i - back];
      if (before.clause != token.clause) break;
      if (words.negators.count(before.word)) negated = !negated;
      if (back > modifier_words && back <= 2) {
        const bool pair = back == 1 && i >= 2 && tokens[i - 2].clause == token.clause;
        if (auto m = pair ? words.modifiers.find(tokens[i - 2].word + " " + before.word) : words.modifiers.end();
            m != words.modifiers.end()) {
          weight *= m->second;
          modifier_words = 2;
        } else if (auto single = words.modifiers.find(before.word); single != words.modifiers.end()) {
          weight *= single->second;
          modifier_words = back;
        }
      }
      if (words.valence.count(before.word) && !words.modifiers.count(before.word)) break;
    }
    const Sentence& sentence = sentences[token.sentence];
    if (sentence.contrast != SIZE_MAX) weight *= i < sentence.contrast ? kBeforeContrast : kAfterContrast;
    if (token.capitals && !shouting) weight *= kCapitals;
    weight *= 1.0 + kPerExclamation * static_cast<double>(std::min<std::size_t>(3, sentence.exclamations));
    SentimentTerm term;
    term.word = token.word;
    term.valence = hit->second;
    term.weight = weight;
    term.negated = negated;
    term.contribution = hit->second * weight * (negated ? kNegation : 1.0);
    out.total += term.contribution;
    if (!negated && words.anger.count(hit->first)) angry_word = true;
    out.terms.push_back(std::move(term));
  }
  out.score = std::tanh(out.total / kSquash);
  if (out.score >= 0.2) out.label = "positive";
  else if (out.score <= -0.2) out.label = angry_word || (exclamations >= 2 && out.score <= -0.6) ? "angry" : "negative";
  else out.label = "neutral";
  return out;
}

SentimentRun score_sentiment(Session& session, std::string_view object, std::string_view field, const Filter& filter,
                             const SentimentOptions& options) {
  const ObjectDef& def = session.catalog().at(object);
  const FieldDef* text = def.find_field(field);
  if (!text || !(text->type == FieldType::text || text->type == FieldType::textarea))
    throw UsageError(ErrorCode::usage, fmt::format("sentiment reads a text or textarea field; {}.{} is not one", object, field));
  const FieldDef* target = nullptr;
  if (!options.write_field.empty()) {
    target = def.find_field(options.write_field);
    if (!target || target->type != FieldType::select)
      throw UsageError(ErrorCode::usage, fmt::format("sentiment writes its label into a picklist; {}.{} is not one",
                                                     object, options.write_field));
    for (const char* label : {"positive", "neutral", "negative"})
      if (!target->find_option(label))
        throw UsageError(ErrorCode::usage, fmt::format("{}.{} has no option '{}' for the sentiment label", object,
                                                       options.write_field, label));
  }
  SentimentRun run;
  std::vector<std::string> previous;  // the field's current labels, to write only changes
  Query query{.object = std::string(object), .filter = filter, .limit = 10'000,
              .fields = {"id", std::string(field)}};
  if (target) query.fields.push_back(target->name);
  while (true) {
    const ColumnarResult page = session.query_columns(query);
    for (std::size_t r = 0; r < page.rows; ++r) {
      run.ids.emplace_back(page.columns[0].text_at(r));
      const Sentiment s = page.columns[1].valid[r] ? analyze_sentiment(page.columns[1].text_at(r)) : Sentiment{};
      run.scores.push_back(s.score);
      std::string label = s.label;
      if (target && label == "angry" && !target->find_option("angry")) label = "negative";
      run.labels.push_back(std::move(label));
      if (target) previous.emplace_back(page.columns[2].valid[r] ? page.columns[2].text_at(r) : std::string_view());
    }
    if (options.on_progress &&
        !options.on_progress({"sentiment", static_cast<std::int64_t>(run.ids.size()), -1}))
      throw Error(ErrorCode::cancelled, "sentiment was cancelled: nothing was written");
    if (page.rows < static_cast<std::size_t>(*query.limit) || page.next_cursor.empty()) break;
    query.after = page.next_cursor;
  }
  if (target) {
    // The labels as the engine writes them (read-only fields accept them), in one transaction.
    hotcrm::detail::SystemWrite system(hotcrm::detail::runtime(SessionInternals::impl(session)));
    session.transaction([&] {
      for (std::size_t r = 0; r < run.ids.size(); ++r) {
        if (previous[r] == run.labels[r]) continue;
        session.update(object, run.ids[r], Record{{target->name, Value(run.labels[r])}});
        ++run.written;
      }
    });
  }
  return run;
}

}  // namespace v0
}  // namespace hotcrm
