// hotcrm's own sentiment lexicon, written for this library (not derived from a published one):
// words of customer-service and sales correspondence with a valence from -4 (very negative) to +4
// (very positive), chosen by hand. Inflections are found by the analyser's suffix rules
// (sentiment.cpp), so most words appear in one form only.
#include "scoring/sentiment_lexicon.hpp"

namespace hotcrm::detail {

const std::vector<LexiconEntry>& sentiment_lexicon() {
  static const std::vector<LexiconEntry> entries = {
      // Satisfaction, praise, gratitude.
      {"thank", 2.0}, {"thanks", 2.0}, {"thankful", 2.5}, {"grateful", 2.5}, {"appreciate", 2.2},
      {"appreciated", 2.2}, {"appreciation", 2.0}, {"kudos", 2.5}, {"cheers", 1.2}, {"pleased", 2.2},
      {"glad", 1.8}, {"happy", 2.4}, {"delighted", 3.0}, {"thrilled", 3.2}, {"satisfied", 2.0},
      {"satisfaction", 1.6}, {"love", 3.0}, {"loved", 3.0}, {"lovely", 2.4}, {"like", 1.0}, {"enjoy", 2.0},
      {"enjoyed", 2.0}, {"great", 2.6}, {"good", 1.8}, {"nice", 1.6}, {"fine", 0.6}, {"ok", 0.4}, {"okay", 0.4},
      {"excellent", 3.2}, {"outstanding", 3.4}, {"superb", 3.3}, {"amazing", 3.2}, {"awesome", 3.0},
      {"fantastic", 3.2}, {"wonderful", 3.1}, {"brilliant", 3.0}, {"perfect", 3.0}, {"perfectly", 2.6},
      {"impressive", 2.6}, {"impressed", 2.5}, {"exceptional", 3.2}, {"stellar", 3.0}, {"terrific", 3.0},
      {"best", 2.8}, {"better", 1.5}, {"improved", 1.6}, {"improvement", 1.4}, {"recommend", 2.2},
      {"recommended", 2.0}, {"valuable", 2.0}, {"useful", 1.6}, {"helpful", 2.2}, {"helped", 1.8},
      {"supportive", 2.0}, {"responsive", 1.8}, {"prompt", 1.6}, {"promptly", 1.6}, {"quick", 1.4},
      {"quickly", 1.4}, {"fast", 1.3}, {"efficient", 1.8}, {"smooth", 1.8}, {"smoothly", 1.8},
      {"seamless", 2.2}, {"easy", 1.6}, {"simple", 1.0}, {"intuitive", 1.8}, {"reliable", 2.0},
      {"stable", 1.2}, {"solid", 1.4}, {"robust", 1.5}, {"professional", 1.8}, {"knowledgeable", 2.0},
      {"friendly", 2.0}, {"courteous", 1.8}, {"polite", 1.5}, {"patient", 1.6}, {"kind", 1.8},
      {"generous", 2.0}, {"fair", 1.0}, {"reasonable", 1.0}, {"affordable", 1.4}, {"worth", 1.4},
      {"worthwhile", 1.8}, {"success", 2.2}, {"successful", 2.2}, {"successfully", 2.0}, {"win", 2.0},
      {"won", 1.8}, {"works", 1.2}, {"working", 0.8}, {"worked", 1.2}, {"fixed", 1.8}, {"resolved", 2.0},
      {"solved", 2.0}, {"solution", 1.0}, {"sorted", 1.4}, {"restored", 1.6}, {"clear", 1.0},
      {"clearly", 0.8}, {"accurate", 1.4}, {"correct", 1.0}, {"exactly", 0.6}, {"flawless", 3.0},
      {"flawlessly", 3.0}, {"comfortable", 1.4}, {"confident", 1.6}, {"excited", 2.4}, {"exciting", 2.4},
      {"eager", 1.6}, {"interested", 1.2}, {"interesting", 1.2}, {"keen", 1.4}, {"welcome", 1.4},
      {"welcomed", 1.4}, {"congratulations", 2.6}, {"congrats", 2.4}, {"celebrate", 2.2}, {"proud", 2.0},
      {"trust", 1.8}, {"trusted", 1.8}, {"loyal", 1.8}, {"renew", 1.2}, {"renewal", 0.8}, {"upgrade", 1.0},
      {"expand", 1.0}, {"growth", 1.2}, {"benefit", 1.4}, {"beneficial", 1.6}, {"advantage", 1.2},
      {"convenient", 1.4}, {"relief", 1.6}, {"relieved", 1.8}, {"calm", 0.8}, {"safe", 1.0}, {"secure", 1.0},
      {"superior", 2.0}, {"elegant", 1.8}, {"beautiful", 2.4}, {"pleasure", 2.4},
      {"pleasant", 2.0}, {"fun", 1.8}, {"joy", 2.6}, {"positive", 1.6}, {"favorite", 2.0}, {"favourite", 2.0},
      {"wow", 2.2}, {"yay", 2.4}, {"hooray", 2.6}, {"bravo", 2.6}, {"admire", 2.0}, {"praise", 2.2},
      {"gladly", 1.6}, {"agree", 1.0}, {"agreed", 1.0}, {"approve", 1.2}, {"approved", 1.2}, {"accept", 0.8},
      {"accepted", 1.0}, {"timely", 1.6}, {"attentive", 1.8}, {"thorough", 1.6},
      {"impeccable", 3.0}, {"incredible", 2.8}, {"remarkable", 2.6}, {"spotless", 2.4}, {"handy", 1.4},

      // Problems, faults, delays.
      {"problem", -1.6}, {"problems", -1.6}, {"issue", -1.2}, {"issues", -1.2}, {"bug", -1.6}, {"bugs", -1.6},
      {"error", -1.6}, {"errors", -1.6}, {"fail", -2.2}, {"failed", -2.2}, {"failing", -2.2}, {"failure", -2.4},
      {"fault", -1.8}, {"faulty", -2.2}, {"defect", -2.0}, {"defective", -2.4}, {"broken", -2.4},
      {"break", -1.4}, {"breaks", -1.8}, {"crash", -2.4}, {"crashed", -2.4}, {"crashes", -2.4},
      {"freeze", -1.8}, {"frozen", -1.6}, {"hang", -1.2}, {"hangs", -1.6}, {"stuck", -1.8}, {"down", -0.8},
      {"outage", -2.6}, {"downtime", -2.2}, {"unavailable", -1.8}, {"unreachable", -1.8}, {"slow", -1.4},
      {"slowly", -1.2}, {"sluggish", -1.6}, {"lag", -1.4}, {"laggy", -1.6}, {"delay", -1.4}, {"delayed", -1.6},
      {"late", -1.2}, {"overdue", -1.6}, {"waiting", -0.8}, {"wait", -0.6}, {"missing", -1.4}, {"lost", -1.8},
      {"wrong", -1.8}, {"incorrect", -1.6}, {"inaccurate", -1.6}, {"mistake", -1.6}, {"mistakes", -1.6},
      {"confusing", -1.6}, {"confused", -1.4}, {"unclear", -1.2}, {"complicated", -1.2}, {"difficult", -1.4},
      {"hard", -0.8}, {"impossible", -2.2}, {"unusable", -2.8}, {"useless", -2.8}, {"worthless", -3.0},
      {"unreliable", -2.2}, {"unstable", -2.0}, {"inconsistent", -1.4}, {"poor", -2.2}, {"poorly", -2.0},
      {"bad", -2.4}, {"worse", -2.4}, {"worst", -3.2}, {"terrible", -3.2}, {"horrible", -3.2},
      {"awful", -3.0}, {"dreadful", -3.0}, {"abysmal", -3.4}, {"atrocious", -3.4}, {"appalling", -3.2},
      {"lousy", -2.4}, {"mediocre", -1.4}, {"subpar", -1.8}, {"disappoint", -2.4}, {"disappointed", -2.4},
      {"disappointing", -2.4}, {"disappointment", -2.4}, {"unhappy", -2.4}, {"dissatisfied", -2.4},
      {"unsatisfied", -2.2}, {"frustrated", -2.6}, {"frustrating", -2.6}, {"frustration", -2.6},
      {"annoyed", -2.2}, {"annoying", -2.2}, {"irritated", -2.2}, {"irritating", -2.2}, {"upset", -2.4},
      {"concern", -1.0}, {"concerned", -1.2}, {"concerns", -1.0}, {"worried", -1.6}, {"worry", -1.4},
      {"afraid", -1.6}, {"anxious", -1.6}, {"stress", -1.6}, {"stressful", -1.8}, {"complain", -1.8},
      {"complaint", -2.0}, {"complaints", -2.0}, {"escalate", -1.6}, {"escalated", -1.4}, {"urgent", -0.8},
      {"urgently", -0.8}, {"critical", -1.0}, {"severe", -1.8}, {"serious", -1.0}, {"damage", -2.0},
      {"damaged", -2.2}, {"corrupt", -2.4}, {"corrupted", -2.4}, {"leak", -2.0}, {"breach", -2.6},
      {"vulnerable", -1.8}, {"risk", -1.0}, {"risky", -1.4}, {"expensive", -1.2}, {"overpriced", -2.0},
      {"overcharged", -2.6}, {"charged", -0.6}, {"refund", -1.2}, {"chargeback", -2.4}, {"cancel", -1.6},
      {"cancelled", -1.4}, {"canceled", -1.4}, {"cancellation", -1.6}, {"terminate", -1.8},
      {"churn", -1.8}, {"leave", -0.8}, {"leaving", -1.2}, {"switch", -0.6}, {"competitor", -0.8},
      {"downgrade", -1.4}, {"unfortunately", -1.4}, {"sadly", -1.6}, {"sad", -2.0}, {"sorry", -0.6},
      {"regret", -1.8}, {"apologize", -0.4}, {"apologies", -0.4}, {"unacceptable", -3.0},
      {"ridiculous", -2.8}, {"absurd", -2.6}, {"pathetic", -3.0}, {"incompetent", -3.0},
      {"unprofessional", -2.6}, {"rude", -2.8}, {"ignored", -2.4}, {"ignore", -1.8}, {"ignoring", -2.2},
      {"unanswered", -2.0}, {"unresponsive", -2.4}, {"neglected", -2.2}, {"careless", -2.0},
      {"angry", -3.0}, {"furious", -3.6}, {"outraged", -3.6}, {"outrageous", -3.2}, {"livid", -3.6},
      {"mad", -2.6}, {"hate", -3.2}, {"hated", -3.2}, {"disgusting", -3.4}, {"disgusted", -3.2},
      {"scam", -3.4}, {"fraud", -3.4}, {"cheated", -3.2}, {"misleading", -2.6}, {"lied", -3.0}, {"lie", -2.6},
      {"nightmare", -3.2}, {"disaster", -3.2}, {"mess", -2.2}, {"chaos", -2.4}, {"fiasco", -3.0},
      {"hassle", -1.8}, {"headache", -2.0}, {"pain", -1.8}, {"painful", -2.2}, {"waste", -2.4},
      {"wasted", -2.4}, {"threat", -2.0}, {"lawsuit", -3.0}, {"lawyer", -2.0}, {"legal", -0.8},
      {"penalty", -1.8}, {"blocked", -1.6}, {"blocker", -2.0}, {"denied", -1.8},
      {"rejected", -1.6}, {"reject", -1.4}, {"decline", -1.2}, {"declined", -1.4}, {"expired", -1.0},
      {"wrongly", -1.8}, {"unfair", -2.2}, {"shame", -2.2}, {"shameful", -2.8}, {"embarrassing", -2.2},
      {"awkward", -1.2}, {"doubt", -1.2}, {"doubtful", -1.4}, {"skeptical", -1.2}, {"hesitant", -1.0},
      {"negative", -1.6},
  };
  return entries;
}

const std::vector<LexiconEntry>& sentiment_modifiers() {
  // Words that scale the next sentiment word (weights > 1 intensify, < 1 soften).
  static const std::vector<LexiconEntry> entries = {
      {"very", 1.3}, {"really", 1.25}, {"so", 1.2}, {"extremely", 1.5}, {"incredibly", 1.45},
      {"absolutely", 1.4}, {"totally", 1.35}, {"completely", 1.35}, {"utterly", 1.5}, {"highly", 1.3},
      {"super", 1.3}, {"truly", 1.25}, {"deeply", 1.35}, {"especially", 1.2}, {"particularly", 1.15},
      {"exceptionally", 1.45}, {"remarkably", 1.3}, {"seriously", 1.3}, {"terribly", 1.4}, {"awfully", 1.35},
      {"too", 1.15}, {"most", 1.2}, {"more", 1.1}, {"entirely", 1.3}, {"thoroughly", 1.25},
      {"slightly", 0.6}, {"somewhat", 0.7}, {"a bit", 0.7}, {"bit", 0.7}, {"little", 0.75}, {"barely", 0.5},
      {"fairly", 0.85}, {"kinda", 0.75}, {"kind of", 0.75}, {"sort of", 0.75}, {"rather", 0.9},
      {"mostly", 0.85}, {"partly", 0.7}, {"partially", 0.7}, {"marginally", 0.6}, {"mildly", 0.65},
  };
  return entries;
}

const std::vector<std::string>& sentiment_negators() {
  static const std::vector<std::string> words = {
      "not", "no", "never", "none", "nothing", "nobody", "nowhere", "neither", "nor", "without",
      "hardly", "scarcely", "cannot", "cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent",
      "wont", "wouldnt", "shouldnt", "couldnt", "havent", "hasnt", "hadnt", "aint", "lack", "lacks", "lacking"};
  return words;
}

const std::vector<std::string>& sentiment_contrasts() {
  static const std::vector<std::string> words = {"but", "however", "yet", "though", "although", "nevertheless"};
  return words;
}

const std::vector<std::string>& anger_words() {
  static const std::vector<std::string> words = {
      "angry", "furious", "outraged", "outrageous", "livid", "mad", "unacceptable", "ridiculous", "disgusting",
      "disgusted", "scam", "fraud", "cheated", "lawsuit", "lawyer", "pathetic", "incompetent", "hate", "hated",
      "absurd", "shameful", "rude"};
  return words;
}

}  // namespace hotcrm::detail
