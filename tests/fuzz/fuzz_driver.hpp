#pragma once
// A standalone fuzz driver: runs a target over corpus files and, optionally, over deterministic
// mutations of them. No libFuzzer needed, so it builds with any compiler and runs under ctest.
//
//   driver [--mutate N] [--seed S] [--max-len BYTES] [--seconds T] PATH...
//
// PATH is a corpus file or a folder of them (read recursively). With --seconds T, after the corpus
// and its N mutations per file, the driver goes on mutating random corpus files for T seconds in
// all (the time budget CI gives each target; every input that fails is saved, so a time-bounded
// run's finds are reproducible from the saved file). A target may throw hotcrm::Error
// (malformed input is expected); any other exception, or a failed check, is a crash: the input is
// saved as crash-<name>-<hash> in the working directory and the driver aborts.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "hotcrm/error.hpp"

namespace hotcrm::fuzz {

/// Thrown by check() when an oracle fails (it is not a hotcrm::Error, so it counts as a crash).
struct CheckFailure : std::exception {
  explicit CheckFailure(std::string text) : message(std::move(text)) {}
  const char* what() const noexcept override { return message.c_str(); }
  std::string message;
};

inline void check(bool condition, const std::string& message) {
  if (!condition) throw CheckFailure(message);
}

/// splitmix64: tiny, and the same sequence on every platform (unlike std distributions).
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform enough in [0, bound); bound must be positive.
  std::size_t below(std::size_t bound) { return static_cast<std::size_t>(next() % bound); }

 private:
  std::uint64_t state_;
};

inline std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
  return hash;
}

/// Bytes that matter to the parsers under test; inserting them finds more than random bytes.
inline constexpr std::string_view interesting_tokens[] = {
    "\"", "'", ",", "(", ")", "[", "]", "{", "}", ":", "\\", "\n", "\r\n", "\r", " ", "\0", "-", ".",
    "e", "0", "9", "=", "!=", "<>", "AND ", "OR ", "NOT ", "IN ", "IS NULL", "NULL", "TRUE", "''",
    "\"\"", "\\'", "1e999", "-9223372036854775808", "99999999999999999999", "0.0000000000000000001",
    "\xEF\xBB\xBF", "\xC3\xA9", "\xFF", "\xC3", "null", "true", "\"name\"", "\"type\"", "\"fields\"",
    "\"objects\"", "\"text\"", "\"select\"", "\"lookup\"", "\"options\"", "\\u0000", "\\uD800",
};

class Mutator {
 public:
  Mutator(const std::vector<std::string>& corpus, std::size_t max_length) : corpus_(corpus), max_length_(max_length) {}

  std::string mutate(std::string input, Random& random) const {
    const std::size_t steps = 1 + random.below(4);
    for (std::size_t i = 0; i < steps; ++i) apply_one(input, random);
    if (input.size() > max_length_) input.resize(max_length_);
    return input;
  }

 private:
  void apply_one(std::string& input, Random& random) const {
    switch (random.below(6)) {
      case 0:  // flip one bit
        if (!input.empty()) input[random.below(input.size())] ^= static_cast<char>(1u << random.below(8));
        break;
      case 1:  // insert a random byte
        input.insert(input.begin() + static_cast<std::ptrdiff_t>(random.below(input.size() + 1)),
                     static_cast<char>(random.below(256)));
        break;
      case 2: {  // insert a token the parsers care about
        std::string_view token = interesting_tokens[random.below(std::size(interesting_tokens))];
        if (token.empty()) token = std::string_view("\0", 1);
        input.insert(random.below(input.size() + 1), token);
        break;
      }
      case 3:  // delete a range
        if (!input.empty()) {
          std::size_t at = random.below(input.size());
          input.erase(at, 1 + random.below(std::min<std::size_t>(16, input.size() - at)));
        }
        break;
      case 4:  // duplicate a range (grows nesting and repetition)
        if (!input.empty()) {
          std::size_t at = random.below(input.size());
          std::size_t length = 1 + random.below(std::min<std::size_t>(64, input.size() - at));
          input.insert(random.below(input.size() + 1), input.substr(at, length));
        }
        break;
      default: {  // splice: our head with another input's tail
        const std::string& other = corpus_[random.below(corpus_.size())];
        std::size_t head = random.below(input.size() + 1);
        std::size_t tail = random.below(other.size() + 1);
        input = input.substr(0, head) + other.substr(tail);
        break;
      }
    }
  }

  const std::vector<std::string>& corpus_;
  std::size_t max_length_;
};

struct Options {
  std::vector<std::filesystem::path> paths;
  long mutations = 0;
  std::uint64_t seed = 1;
  std::size_t max_length = 64 * 1024;
  std::uint64_t seconds = 0;  ///< time budget for random mutations after the fixed ones
};

[[noreturn]] inline void usage(const char* program, const std::string& problem) {
  std::fprintf(stderr, "%s: %s\nusage: %s [--mutate N] [--seed S] [--max-len BYTES] [--seconds T] PATH...\n", program,
               problem.c_str(), program);
  std::exit(2);
}

inline Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto number = [&](std::string_view flag) -> unsigned long long {
      if (i + 1 >= argc) usage(argv[0], std::string(flag) + " needs a number");
      char* end = nullptr;
      unsigned long long value = std::strtoull(argv[++i], &end, 10);
      if (end == nullptr || *end != '\0') usage(argv[0], std::string(flag) + " needs a number");
      return value;
    };
    if (arg == "--mutate") options.mutations = static_cast<long>(number(arg));
    else if (arg == "--seed") options.seed = number(arg);
    else if (arg == "--max-len") options.max_length = static_cast<std::size_t>(number(arg));
    else if (arg == "--seconds") options.seconds = number(arg);
    else if (arg.starts_with("--")) usage(argv[0], "unknown option " + std::string(arg));
    else options.paths.emplace_back(arg);
  }
  if (options.paths.empty()) usage(argv[0], "no corpus given");
  return options;
}

struct CorpusFile {
  std::string name;
  std::string bytes;
};

inline std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream input(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(input), {});
}

inline std::vector<CorpusFile> load_corpus(const std::vector<std::filesystem::path>& paths, const char* program) {
  std::vector<CorpusFile> corpus;
  for (const auto& path : paths) {
    if (std::filesystem::is_directory(path)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());  // a fixed order keeps runs repeatable
      for (const auto& file : files) corpus.push_back({file.string(), read_bytes(file)});
    } else if (std::filesystem::is_regular_file(path)) {
      corpus.push_back({path.string(), read_bytes(path)});
    } else {
      usage(program, "no such corpus file or folder: " + path.string());
    }
  }
  if (corpus.empty()) usage(program, "the corpus is empty");
  return corpus;
}

[[noreturn]] inline void report_crash(std::string_view name, const std::string& origin, const std::string& input,
                                      const char* what) {
  std::ostringstream file_name;
  file_name << "crash-" << name << "-" << std::hex << fnv1a(input);
  std::ofstream(file_name.str(), std::ios::binary) << input;
  std::fprintf(stderr, "fuzz %.*s: CRASH on %s (%zu bytes, saved as %s): %s\n", static_cast<int>(name.size()),
               name.data(), origin.c_str(), input.size(), file_name.str().c_str(), what);
  std::abort();
}

inline void run_one(std::string_view name, const std::function<void(std::string_view)>& target,
                    const std::string& origin, const std::string& input) {
  try {
    target(input);
  } catch (const hotcrm::Error&) {
    // Malformed input rejected the documented way.
  } catch (const std::exception& error) {
    report_crash(name, origin, input, error.what());
  } catch (...) {
    report_crash(name, origin, input, "an exception that is not a std::exception");
  }
}

/// Runs `target` over the corpus (and its mutations); returns the process exit code.
inline int run(int argc, char** argv, std::string_view name, const std::function<void(std::string_view)>& target) {
  const Options options = parse_options(argc, argv);
  const std::vector<CorpusFile> corpus = load_corpus(options.paths, argv[0]);
  std::vector<std::string> corpus_bytes;
  for (const auto& file : corpus) corpus_bytes.push_back(file.bytes);
  const Mutator mutator(corpus_bytes, options.max_length);

  const auto started = std::chrono::steady_clock::now();
  long inputs = 0;
  for (const auto& file : corpus) {
    run_one(name, target, file.name, file.bytes);
    ++inputs;
    // Seeded per file so that adding a corpus file does not change the mutations of the others.
    Random random(options.seed ^ fnv1a(std::filesystem::path(file.name).filename().string()));
    for (long i = 0; i < options.mutations; ++i) {
      run_one(name, target, file.name + " mutation " + std::to_string(i), mutator.mutate(file.bytes, random));
      ++inputs;
    }
  }
  if (options.seconds > 0) {
    // Random corpus files, a fresh mutation stream per round, until the budget is spent.
    const auto budget = std::chrono::seconds(options.seconds);
    Random random(options.seed * 0x9E3779B97F4A7C15ULL + 1);
    const auto within_budget = [&] { return std::chrono::steady_clock::now() - started < budget; };
    while (within_budget()) {
      const auto& file = corpus[random.below(corpus.size())];
      // Up to 64 mutations of one file per pick, the clock read before each: a slow input can only
      // overrun the budget by its own time.
      for (int i = 0; i < 64 && within_budget(); ++i, ++inputs)
        run_one(name, target, file.name + " timed mutation", mutator.mutate(file.bytes, random));
    }
  }
  std::printf("fuzz %.*s: %ld inputs, 0 crashes\n", static_cast<int>(name.size()), name.data(), inputs);
  return 0;
}

}  // namespace hotcrm::fuzz
