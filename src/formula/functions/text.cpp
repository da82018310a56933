// Text functions. Lengths and positions count Unicode code points (UTF-8), positions are 1-based,
// and blank text is "" (a null text argument reads as empty). A null number argument gives null.
#include <cctype>
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "formula/internal.hpp"

namespace hotcrm::detail::formula {
namespace {

const std::string& text_of(const Value& value) {
  static const std::string empty;
  return value.is_null() ? empty : value.as_string();
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) count += is_continuation(c) ? 0 : 1;
  return count;
}

/// Byte offset of code point `n` (0-based), or text.size() past the end.
std::size_t byte_offset(std::string_view text, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_continuation(text[i])) continue;
    if (seen == n) return i;
    ++seen;
  }
  return text.size();
}

/// A whole-number argument, clamped so huge values cannot overflow size arithmetic.
std::int64_t count_of(const Value& value) {
  return static_cast<std::int64_t>(std::clamp(std::trunc(value.as_double()), -1e12, 1e12));
}

std::string substring(std::string_view text, std::int64_t first, std::int64_t count) {
  if (count <= 0 || first < 0) return {};
  const std::size_t begin = byte_offset(text, static_cast<std::size_t>(first));
  const std::size_t end = byte_offset(text, static_cast<std::size_t>(first + count));
  return std::string(text.substr(begin, end - begin));
}

Value len(std::span<const Value> args, CallSite&) { return Value(static_cast<double>(code_points(text_of(args[0])))); }

Value left(std::span<const Value> args, CallSite&) {
  if (args[1].is_null()) return Value{};
  return Value(substring(text_of(args[0]), 0, count_of(args[1])));
}

Value right(std::span<const Value> args, CallSite&) {
  if (args[1].is_null()) return Value{};
  const std::string& text = text_of(args[0]);
  const auto total = static_cast<std::int64_t>(code_points(text));
  const std::int64_t count = std::min(count_of(args[1]), total);
  return Value(substring(text, total - count, count));
}

Value mid(std::span<const Value> args, CallSite&) {
  if (args[1].is_null() || args[2].is_null()) return Value{};
  const std::int64_t start = std::max<std::int64_t>(count_of(args[1]), 1);
  return Value(substring(text_of(args[0]), start - 1, count_of(args[2])));
}

Value upper(std::span<const Value> args, CallSite&) {
  std::string text = text_of(args[0]);
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return Value(std::move(text));
}

Value lower(std::span<const Value> args, CallSite&) {
  std::string text = text_of(args[0]);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Value(std::move(text));
}

std::string_view trimmed(std::string_view text) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

Value trim(std::span<const Value> args, CallSite&) { return Value(std::string(trimmed(text_of(args[0])))); }

Value contains(std::span<const Value> args, CallSite&) {
  return Value(text_of(args[0]).find(text_of(args[1])) != std::string::npos);
}

Value begins(std::span<const Value> args, CallSite&) {
  return Value(std::string_view(text_of(args[0])).starts_with(text_of(args[1])));
}

/// FIND(search, text[, start]): 1-based position of search in text at or after start, else 0.
Value find(std::span<const Value> args, CallSite&) {
  if (args.size() > 2 && args[2].is_null()) return Value{};
  const std::string& search = text_of(args[0]);
  const std::string& text = text_of(args[1]);
  const std::int64_t start = args.size() > 2 ? count_of(args[2]) : 1;
  if (search.empty() || start < 1) return Value(0.0);
  const std::size_t from = byte_offset(text, static_cast<std::size_t>(start - 1));
  const std::size_t at = text.find(search, from);
  if (at == std::string::npos) return Value(0.0);
  return Value(static_cast<double>(code_points(std::string_view(text).substr(0, at)) + 1));
}

Value substitute(std::span<const Value> args, CallSite& site) {
  const std::string& text = text_of(args[0]);
  const std::string& old_text = text_of(args[1]);
  const std::string& new_text = text_of(args[2]);
  if (old_text.empty()) return Value(text);
  std::string out;
  std::size_t from = 0;
  while (true) {
    const std::size_t at = text.find(old_text, from);
    out.append(text, from, at == std::string::npos ? std::string::npos : at - from);
    if (at == std::string::npos) break;
    out += new_text;
    if (out.size() > max_text_length) {
      site.fault.raise(FormulaError::text_too_long);
      return Value{};
    }
    from = at + old_text.size();
  }
  return Value(std::move(out));
}

Value text(std::span<const Value> args, CallSite&) { return Value(to_text(args[0])); }

std::optional<double> parse_number_text(std::string_view text) {
  text = trimmed(text);
  if (text.empty()) return std::nullopt;
  std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(value)) return std::nullopt;
  // strtod also reads "inf", "nan" and hex; formulas accept plain decimal spellings only.
  for (char c : copy)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      return std::nullopt;
  return value;
}

Value isnumber(std::span<const Value> args, CallSite&) { return Value(parse_number_text(text_of(args[0])).has_value()); }

Value value_fn(std::span<const Value> args, CallSite& site) {
  const std::string& text = text_of(args[0]);
  if (trimmed(text).empty()) return Value{};
  if (auto number = parse_number_text(text)) return Value(*number == 0.0 ? 0.0 : *number);
  site.fault.raise(FormulaError::invalid_number);
  return Value{};
}

/// LPAD / RPAD: pads to `length` code points with `pad` (default a space); longer text is cut to
/// its first `length` code points.
Value pad(std::span<const Value> args, CallSite& site, bool on_left) {
  if (args[1].is_null()) return Value{};
  const std::string& text = text_of(args[0]);
  const std::int64_t length = count_of(args[1]);
  if (length <= 0) return Value(std::string());
  if (static_cast<std::uint64_t>(length) > max_text_length) {
    site.fault.raise(FormulaError::text_too_long);
    return Value{};
  }
  const std::string pad_text = args.size() > 2 ? text_of(args[2]) : std::string(" ");
  const auto current = static_cast<std::int64_t>(code_points(text));
  // A pad of no code point (empty, or only UTF-8 continuation bytes) cannot fill anything: without
  // this the loop below would never end.
  const auto pad_points = static_cast<std::int64_t>(code_points(pad_text));
  if (current >= length || pad_points == 0) return Value(substring(text, 0, length));
  std::string padding;
  for (std::int64_t missing = length - current; missing > 0; missing -= pad_points)
    padding += missing >= pad_points ? pad_text : substring(pad_text, 0, missing);
  return Value(on_left ? padding + text : text + padding);
}
Value lpad(std::span<const Value> args, CallSite& site) { return pad(args, site, true); }
Value rpad(std::span<const Value> args, CallSite& site) { return pad(args, site, false); }

Value regex(std::span<const Value> args, CallSite& site) {
  std::shared_ptr<const CompiledRegex> compiled = site.node.regex;
  if (!compiled) {
    std::string message;
    compiled = CompiledRegex::compile(text_of(args[1]), message);
    if (!compiled) {
      site.fault.raise(FormulaError::regex);
      return Value{};
    }
  }
  return Value(compiled->full_match(text_of(args[0])));
}

}  // namespace

void add_text_functions(std::vector<FunctionInfo>& out) {
  out.insert(out.end(), {
      {"ISNUMBER", FunctionId::isnumber, 1, 1, isnumber},
      {"LEN", FunctionId::len, 1, 1, len},
      {"LEFT", FunctionId::left, 2, 2, left},
      {"RIGHT", FunctionId::right, 2, 2, right},
      {"MID", FunctionId::mid, 3, 3, mid},
      {"UPPER", FunctionId::upper, 1, 1, upper},
      {"LOWER", FunctionId::lower, 1, 1, lower},
      {"TRIM", FunctionId::trim, 1, 1, trim},
      {"CONTAINS", FunctionId::contains, 2, 2, contains},
      {"BEGINS", FunctionId::begins, 2, 2, begins},
      {"FIND", FunctionId::find, 2, 3, find},
      {"SUBSTITUTE", FunctionId::substitute, 3, 3, substitute},
      {"TEXT", FunctionId::text, 1, 1, text},
      {"VALUE", FunctionId::value, 1, 1, value_fn},
      {"LPAD", FunctionId::lpad, 2, 3, lpad},
      {"RPAD", FunctionId::rpad, 2, 3, rpad},
      {"REGEX", FunctionId::regex, 2, 2, regex},
  });
}

}  // namespace hotcrm::detail::formula
