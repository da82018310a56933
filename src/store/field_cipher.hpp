#pragma once
// Seals and opens the values of encrypted fields with libsodium's XChaCha20-Poly1305 (IETF AEAD):
// a vetted construction with 192-bit random nonces, safe to draw at random for every value.
//
// A sealed value is one BLOB:  version (1 byte) | key id length L (1) | key id (L) | nonce (24) |
// ciphertext + tag (16). The associated data binds it to its field ("hotcrm.v1.<field name>"), so a
// value copied into another field does not open.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "hotcrm/model/catalog.hpp"
#include "hotcrm/store/encryption.hpp"

namespace hotcrm::detail {

class FieldCipher {
 public:
  /// `keys` may be null: then every seal or open throws a clear error naming the field.
  explicit FieldCipher(std::shared_ptr<const KeyProvider> keys);
  ~FieldCipher();
  FieldCipher(const FieldCipher&) = delete;
  FieldCipher& operator=(const FieldCipher&) = delete;

  /// Seals `plaintext` of `field` with the provider's current key.
  std::string seal(const FieldDef& field, std::string_view plaintext) const;
  /// Opens a sealed value of `field`; throws StoreError(key) naming the field and key id when the
  /// key is unknown or the value does not authenticate (wrong key, tampered bytes).
  std::string open(const FieldDef& field, std::string_view sealed) const;
  /// The id of the key a sealed value names ("" when it is not a sealed value).
  static std::string key_id_of(std::string_view sealed);
  /// The current key's id (throws like seal when there is no provider).
  std::string current_key_id() const;
  bool has_provider() const noexcept { return keys_ != nullptr; }

 private:
  const std::string& key_bytes(const FieldDef& field, const std::string& id) const;

  std::shared_ptr<const KeyProvider> keys_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::string> cache_;  // key id -> bytes, wiped on destruction
};

/// Marks a sealed value in history JSON text: "hotcrm-sealed:<base64 of the BLOB>".
inline constexpr std::string_view kSealedPrefix = "hotcrm-sealed:";
std::string to_base64(std::string_view bytes);
std::string from_base64(std::string_view text);

}  // namespace hotcrm::detail
