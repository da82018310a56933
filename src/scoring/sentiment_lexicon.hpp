#pragma once
// hotcrm's sentiment lexicon (sentiment_lexicon.cpp): valences, modifiers, negators, contrast
// words and anger words, read by the analyser in sentiment.cpp.
#include <string>
#include <vector>

namespace hotcrm::detail {

struct LexiconEntry {
  const char* word;
  double value;
};

/// Words with a valence from -4 to +4.
const std::vector<LexiconEntry>& sentiment_lexicon();
/// Intensifiers (> 1) and softeners (< 1) of the next sentiment word; some are two words.
const std::vector<LexiconEntry>& sentiment_modifiers();
/// Words that negate a sentiment word up to three words after them (apostrophes removed).
const std::vector<std::string>& sentiment_negators();
/// Words after which a clause outweighs the one before ("good, but slow").
const std::vector<std::string>& sentiment_contrasts();
/// Negative words that make a negative text "angry".
const std::vector<std::string>& anger_words();

}  // namespace hotcrm::detail
