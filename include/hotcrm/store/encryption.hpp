#pragma once
// Field-level encryption: the keys of fields marked "encrypted" come from the host through a
// KeyProvider (docs/security.md, "Field-level encryption").
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hotcrm {
inline namespace v0 {

/// Bytes of a key (XChaCha20-Poly1305 takes 256-bit keys).
inline constexpr std::size_t kEncryptionKeyBytes = 32;

/// Supplies the keys of encrypted fields. Every stored value names the key that sealed it, so old
/// keys stay readable after a rotation for as long as the provider still returns them.
/// Called from any thread holding the database; the engine caches each key after its first use.
class KeyProvider {
 public:
  virtual ~KeyProvider() = default;
  /// The id of the key that seals new values (1 to 255 bytes).
  virtual std::string current_key_id() const = 0;
  /// The 32 key bytes with this id, or nullopt when the provider does not know it.
  virtual std::optional<std::string> key(const std::string& id) const = 0;
};

/// Keys held in memory: id -> 32 bytes, one of them current.
class StaticKeyProvider final : public KeyProvider {
 public:
  /// Throws UsageError when a key is not 32 bytes, an id is empty or longer than 255 bytes, or
  /// `current` is not among the keys.
  StaticKeyProvider(std::map<std::string, std::string> keys, std::string current);

  /// Parses a key file: one key per line, `<id> <64 hex digits>`; blank lines and lines starting
  /// with '#' are skipped; the LAST key listed is current (rotate by appending a line). `origin`
  /// names the text in errors (never a key byte).
  static StaticKeyProvider parse(std::string_view text, std::string_view origin = "key file");
  /// Reads and parses a key file (IoError-like UsageError when it cannot be read).
  static StaticKeyProvider from_file(const std::filesystem::path& path);

  std::string current_key_id() const override { return current_; }
  std::optional<std::string> key(const std::string& id) const override;

 private:
  std::map<std::string, std::string> keys_;
  std::string current_;
};

/// A new random key (32 bytes from the operating system's generator) as 64 hex digits, the form a
/// key file holds.
std::string generate_key_hex();

}  // namespace v0
}  // namespace hotcrm
