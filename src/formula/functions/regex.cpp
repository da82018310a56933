// REGEX(text, pattern): a Thompson-NFA matcher (Pike VM) instead of std::regex. std::regex
// backtracks, so hostile patterns such as (a+)+b take exponential time and deep recursion can
// overflow the stack. Here compile is bounded (pattern length, nesting, instruction count) and
// matching is O(pattern x subject) with no recursion.
//
// Supported subset of Java syntax (Salesforce uses Java regexes): literals, '.', [...] classes
// with ranges and negation, \d \D \w \W \s \S, escaped punctuation, \n \t \r \f, groups (...)
// and (?:...), alternation |, quantifiers * + ? {n} {n,} {n,m} (a trailing ? is accepted and
// ignored: laziness does not change a full match), ^ at the start and $ at the end. The whole
// subject must match. Matching is per Unicode code point.
#include <algorithm>
#include <string>

#include "formula/internal.hpp"

namespace hotcrm::detail::formula {

struct CompiledRegex::Instruction {
  enum class Kind : std::uint8_t { character, any, klass, split, jump, match };
  Kind kind = Kind::match;
  char32_t character = 0;
  int x = 0, y = 0;  ///< split / jump targets
  bool negated = false;
  std::vector<std::pair<char32_t, char32_t>> ranges;  ///< klass
};

CompiledRegex::CompiledRegex() = default;
CompiledRegex::~CompiledRegex() = default;

namespace {

using Instruction = CompiledRegex::Instruction;
using Kind = Instruction::Kind;
constexpr std::size_t max_instructions = 20'000;
constexpr int max_nesting = 50;
constexpr int max_repeat = 1000;

std::vector<char32_t> decode_utf8(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const int extra = lead < 0x80 ? 0 : (lead >> 5) == 0x6 ? 1 : (lead >> 4) == 0xE ? 2 : (lead >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= text.size() + (extra == 0 ? 1 : 0)) {
      out.push_back(lead);  // invalid or truncated UTF-8: one code point per byte
      ++i;
      continue;
    }
    char32_t point = extra == 0 ? lead : (lead & (0x3F >> extra));
    bool ok = true;
    for (int k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      ok = ok && (next & 0xC0) == 0x80;
      point = (point << 6) | (next & 0x3F);
    }
    if (!ok) {
      out.push_back(lead);
      ++i;
      continue;
    }
    out.push_back(point);
    i += static_cast<std::size_t>(extra) + 1;
  }
  return out;
}

struct RegexNode {
  enum class Type : std::uint8_t { empty, character, any, klass, concat, alternation, repeat };
  Type type = Type::empty;
  char32_t character = 0;
  bool negated = false;
  std::vector<std::pair<char32_t, char32_t>> ranges;
  std::vector<RegexNode> children;
  int min = 0, max = 0;  ///< repeat; max -1 = unbounded
};

struct RegexError {
  std::string message;
};

class RegexParser {
 public:
  explicit RegexParser(std::vector<char32_t> pattern) : p_(std::move(pattern)) {}

  RegexNode run() {
    if (!p_.empty() && p_.front() == '^') ++pos_;
    RegexNode node = alternation(0);
    if (pos_ < p_.size()) throw RegexError{"unexpected ')' at position " + std::to_string(pos_ + 1)};
    return node;
  }

 private:
  bool at_end() const { return pos_ >= p_.size(); }
  char32_t peek() const { return p_[pos_]; }

  RegexNode alternation(int depth) {
    if (depth > max_nesting) throw RegexError{"groups nest too deeply"};
    RegexNode first = concatenation(depth);
    if (at_end() || peek() != '|') return first;
    RegexNode alt{RegexNode::Type::alternation};
    alt.children.push_back(std::move(first));
    while (!at_end() && peek() == '|') {
      ++pos_;
      alt.children.push_back(concatenation(depth));
    }
    return alt;
  }

  RegexNode concatenation(int depth) {
    RegexNode concat{RegexNode::Type::concat};
    while (!at_end() && peek() != '|' && peek() != ')') {
      if (peek() == '$' && pos_ + 1 == p_.size()) {
        ++pos_;
        break;
      }
      RegexNode item = atom(depth);
      concat.children.push_back(quantified(std::move(item)));
    }
    return concat;
  }

  RegexNode quantified(RegexNode item) {
    while (!at_end()) {
      int min = 0, max = 0;
      const char32_t c = peek();
      if (c == '*') min = 0, max = -1;
      else if (c == '+') min = 1, max = -1;
      else if (c == '?') min = 0, max = 1;
      else if (c == '{' && braces(min, max)) {
      } else break;
      if (c != '{') ++pos_;
      if (!at_end() && peek() == '?') ++pos_;  // lazy: same full-match result
      RegexNode repeat{RegexNode::Type::repeat};
      repeat.min = min;
      repeat.max = max;
      repeat.children.push_back(std::move(item));
      item = std::move(repeat);
    }
    return item;
  }

  /// {n}, {n,}, {n,m}; false (and no input consumed) when the brace is a literal.
  bool braces(int& min, int& max) {
    std::size_t i = pos_ + 1;
    auto number = [&](int& out) {
      const std::size_t start = i;
      out = 0;
      while (i < p_.size() && p_[i] >= '0' && p_[i] <= '9' && out <= max_repeat) out = out * 10 + static_cast<int>(p_[i++] - '0');
      return i > start;
    };
    if (!number(min)) return false;
    max = min;
    if (i < p_.size() && p_[i] == ',') {
      ++i;
      if (!number(max)) max = -1;
    }
    if (i >= p_.size() || p_[i] != '}') return false;
    if (min > max_repeat || max > max_repeat) throw RegexError{"repetition count above " + std::to_string(max_repeat)};
    if (max != -1 && max < min) throw RegexError{"repetition {n,m} with m < n"};
    pos_ = i + 1;
    return true;
  }

  RegexNode atom(int depth) {
    const char32_t c = p_[pos_++];
    switch (c) {
      case '(': {
        if (pos_ + 1 < p_.size() && peek() == '?' && p_[pos_ + 1] == ':') pos_ += 2;
        else if (!at_end() && peek() == '?') throw RegexError{"only (?:...) groups are supported"};
        RegexNode inner = alternation(depth + 1);
        if (at_end() || peek() != ')') throw RegexError{"missing ')'"};
        ++pos_;
        return inner;
      }
      case '[': return bracket();
      case '.': return RegexNode{RegexNode::Type::any};
      case '\\': return escape(false);
      case '*':
      case '+':
      case '?': throw RegexError{"nothing to repeat before '" + std::string(1, static_cast<char>(c)) + "'"};
      case '^':
      case '$': throw RegexError{"anchors are only supported at the start (^) and end ($)"};
      default: return literal(c);
    }
  }

  static RegexNode literal(char32_t c) {
    RegexNode node{RegexNode::Type::character};
    node.character = c;
    return node;
  }

  static void add_shorthand(char32_t which, std::vector<std::pair<char32_t, char32_t>>& ranges) {
    if (which == 'd') ranges.push_back({'0', '9'});
    if (which == 'w') ranges.insert(ranges.end(), {{'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {'_', '_'}});
    if (which == 's') ranges.insert(ranges.end(), {{' ', ' '}, {'\t', '\r'}});
  }

  static char32_t control_escape(char32_t c) {
    switch (c) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'f': return '\f';
      default: return 0;
    }
  }

  RegexNode escape(bool in_class) {
    if (at_end()) throw RegexError{"pattern ends with a backslash"};
    const char32_t c = p_[pos_++];
    const char32_t lower = c | 0x20;
    if (lower == 'd' || lower == 'w' || lower == 's') {
      if (in_class && c != lower) throw RegexError{"\\D \\W \\S are not supported inside [...]"};
      RegexNode node{RegexNode::Type::klass};
      node.negated = c != lower;
      add_shorthand(lower, node.ranges);
      return node;
    }
    if (const char32_t control = control_escape(c)) return literal(control);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      throw RegexError{"unsupported escape \\" + std::string(1, static_cast<char>(c))};
    return literal(c);
  }

  RegexNode bracket() {
    RegexNode node{RegexNode::Type::klass};
    if (!at_end() && peek() == '^') node.negated = true, ++pos_;
    bool first = true;
    while (true) {
      if (at_end()) throw RegexError{"missing ']'"};
      char32_t c = p_[pos_++];
      if (c == ']' && !first) break;
      first = false;
      if (c == '\\') {
        RegexNode escaped = escape(true);
        if (escaped.type == RegexNode::Type::klass) {
          node.ranges.insert(node.ranges.end(), escaped.ranges.begin(), escaped.ranges.end());
          continue;
        }
        c = escaped.character;
      }
      char32_t high = c;
      if (pos_ + 1 < p_.size() && peek() == '-' && p_[pos_ + 1] != ']') {
        ++pos_;
        high = p_[pos_++];
        if (high == '\\') {
          RegexNode escaped = escape(true);
          if (escaped.type != RegexNode::Type::character) throw RegexError{"invalid class range"};
          high = escaped.character;
        }
        if (high < c) throw RegexError{"class range out of order"};
      }
      node.ranges.push_back({c, high});
    }
    return node;
  }

  std::vector<char32_t> p_;
  std::size_t pos_ = 0;
};

class RegexCompiler {
 public:
  explicit RegexCompiler(std::vector<Instruction>& program) : program_(program) {}

  void compile(const RegexNode& node) {
    if (program_.size() > max_instructions) throw RegexError{"pattern is too large"};
    switch (node.type) {
      case RegexNode::Type::empty: break;
      case RegexNode::Type::character: emit(Instruction{Kind::character, node.character}); break;
      case RegexNode::Type::any: emit(Instruction{Kind::any}); break;
      case RegexNode::Type::klass: {
        Instruction klass{Kind::klass};
        klass.negated = node.negated;
        klass.ranges = node.ranges;
        emit(std::move(klass));
        break;
      }
      case RegexNode::Type::concat:
        for (const auto& child : node.children) compile(child);
        break;
      case RegexNode::Type::alternation: alternation(node); break;
      case RegexNode::Type::repeat: repeat(node); break;
    }
  }

 private:
  int emit(Instruction instruction) {
    program_.push_back(std::move(instruction));
    return static_cast<int>(program_.size() - 1);
  }
  int here() const { return static_cast<int>(program_.size()); }

  void alternation(const RegexNode& node) {
    std::vector<int> exits;
    for (std::size_t i = 0; i < node.children.size(); ++i) {
      if (i + 1 == node.children.size()) {
        compile(node.children[i]);
        break;
      }
      const int split = emit(Instruction{Kind::split});
      program_[static_cast<std::size_t>(split)].x = here();
      compile(node.children[i]);
      exits.push_back(emit(Instruction{Kind::jump}));
      program_[static_cast<std::size_t>(split)].y = here();
    }
    for (int exit : exits) program_[static_cast<std::size_t>(exit)].x = here();
  }

  void repeat(const RegexNode& node) {
    const RegexNode& body = node.children[0];
    for (int i = 0; i < node.min; ++i) compile(body);
    if (node.max == -1) {
      const int split = emit(Instruction{Kind::split});
      program_[static_cast<std::size_t>(split)].x = here();
      compile(body);
      Instruction back{Kind::jump};
      back.x = split;
      emit(std::move(back));
      program_[static_cast<std::size_t>(split)].y = here();
      return;
    }
    std::vector<int> splits;
    for (int i = node.min; i < node.max; ++i) {
      const int split = emit(Instruction{Kind::split});
      program_[static_cast<std::size_t>(split)].x = here();
      splits.push_back(split);
      compile(body);
    }
    for (int split : splits) program_[static_cast<std::size_t>(split)].y = here();
  }

  std::vector<Instruction>& program_;
};

bool class_matches(const Instruction& instruction, char32_t c) {
  bool inside = false;
  for (const auto& [low, high] : instruction.ranges) inside = inside || (c >= low && c <= high);
  return inside != instruction.negated;
}

/// A set of program counters with O(1) insert and clear (the classic sparse set).
class ThreadList {
 public:
  explicit ThreadList(std::size_t size) : mark_(size, 0) {}
  void clear() {
    pcs_.clear();
    ++generation_;
  }
  bool insert(int pc) {
    auto& mark = mark_[static_cast<std::size_t>(pc)];
    if (mark == generation_) return false;
    mark = generation_;
    pcs_.push_back(pc);
    return true;
  }
  const std::vector<int>& pcs() const { return pcs_; }

 private:
  std::vector<std::uint32_t> mark_;
  std::vector<int> pcs_;
  std::uint32_t generation_ = 1;
};

/// Follows jumps and splits from `start` without recursion, adding every reachable state.
void add_thread(const std::vector<Instruction>& program, ThreadList& list, int start, std::vector<int>& stack) {
  stack.assign(1, start);
  while (!stack.empty()) {
    const int pc = stack.back();
    stack.pop_back();
    if (!list.insert(pc)) continue;
    const Instruction& instruction = program[static_cast<std::size_t>(pc)];
    if (instruction.kind == Kind::jump) stack.push_back(instruction.x);
    if (instruction.kind == Kind::split) {
      stack.push_back(instruction.y);
      stack.push_back(instruction.x);
    }
  }
}

}  // namespace

std::shared_ptr<const CompiledRegex> CompiledRegex::compile(std::string_view pattern, std::string& error) {
  if (pattern.size() > max_regex_pattern) {
    error = "pattern is longer than " + std::to_string(max_regex_pattern) + " characters";
    return nullptr;
  }
  try {
    const RegexNode tree = RegexParser(decode_utf8(pattern)).run();
    auto compiled = std::make_shared<CompiledRegex>();
    RegexCompiler(compiled->program_).compile(tree);
    compiled->program_.push_back(Instruction{Kind::match});
    return compiled;
  } catch (const RegexError& problem) {
    error = problem.message;
    return nullptr;
  }
}

bool CompiledRegex::full_match(std::string_view subject) const {
  const std::vector<char32_t> text = decode_utf8(subject);
  ThreadList current(program_.size()), next(program_.size());
  std::vector<int> stack;
  add_thread(program_, current, 0, stack);
  for (char32_t c : text) {
    next.clear();
    for (int pc : current.pcs()) {
      const Instruction& instruction = program_[static_cast<std::size_t>(pc)];
      const bool step = (instruction.kind == Kind::character && instruction.character == c) ||
                        (instruction.kind == Kind::any && c != '\n') ||
                        (instruction.kind == Kind::klass && class_matches(instruction, c));
      if (step) add_thread(program_, next, pc + 1, stack);
    }
    std::swap(current, next);
    if (current.pcs().empty()) return false;
  }
  return std::any_of(current.pcs().begin(), current.pcs().end(),
                     [&](int pc) { return program_[static_cast<std::size_t>(pc)].kind == Kind::match; });
}

}  // namespace hotcrm::detail::formula
