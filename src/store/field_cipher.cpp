#include "store/field_cipher.hpp"

#include <sodium.h>

#include <cctype>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "hotcrm/error.hpp"

namespace hotcrm::detail {

namespace {
constexpr unsigned char kCipherFormatVersion = 1;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kEncryptionKeyBytes);

void require_sodium() {
  if (sodium_init() < 0) throw StoreError(ErrorCode::key, "libsodium could not initialise (no entropy source?)");
}

std::string associated_data(const FieldDef& field) { return "hotcrm.v1." + field.name; }

[[noreturn]] void no_provider(const FieldDef& field) {
  throw StoreError(ErrorCode::key, fmt::format("field '{}' is encrypted, but the database was opened without a key "
                                               "provider (OpenOptions::keys; CLI --key-file or HOTCRM_KEY_FILE)",
                                               field.name));
}

const unsigned char* bytes_of(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }
}  // namespace

FieldCipher::FieldCipher(std::shared_ptr<const KeyProvider> keys) : keys_(std::move(keys)) {
  if (keys_) require_sodium();
}

FieldCipher::~FieldCipher() {
  for (auto& [id, bytes] : cache_) sodium_memzero(bytes.data(), bytes.size());
}

std::string FieldCipher::current_key_id() const {
  if (!keys_) throw StoreError(ErrorCode::key, "the database was opened without a key provider (OpenOptions::keys)");
  return keys_->current_key_id();
}

const std::string& FieldCipher::key_bytes(const FieldDef& field, const std::string& id) const {
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(id); it != cache_.end()) return it->second;
  auto key = keys_->key(id);
  if (!key)
    throw StoreError(ErrorCode::key, fmt::format("field '{}': the key provider has no key '{}' (a retired key must "
                                                 "stay available until re-encryption has rotated its values)",
                                                 field.name, id));
  if (key->size() != kEncryptionKeyBytes)
    throw StoreError(ErrorCode::key, fmt::format("field '{}': key '{}' has {} bytes, expected {}", field.name, id,
                                                 key->size(), kEncryptionKeyBytes));
  return cache_.emplace(id, std::move(*key)).first->second;
}

std::string FieldCipher::seal(const FieldDef& field, std::string_view plaintext) const {
  if (!keys_) no_provider(field);
  const std::string id = keys_->current_key_id();
  if (id.empty() || id.size() > 255)
    throw StoreError(ErrorCode::key, fmt::format("field '{}': the current key id must have 1 to 255 bytes", field.name));
  const std::string& key = key_bytes(field, id);
  std::string sealed;
  sealed.resize(2 + id.size() + kNonceBytes + plaintext.size() + kTagBytes);
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  out[0] = kCipherFormatVersion;
  out[1] = static_cast<unsigned char>(id.size());
  std::copy(id.begin(), id.end(), sealed.begin() + 2);
  unsigned char* nonce = out + 2 + id.size();
  randombytes_buf(nonce, kNonceBytes);
  const std::string aad = associated_data(field);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &written, bytes_of(plaintext), plaintext.size(),
                                             bytes_of(aad), aad.size(), nullptr, nonce, bytes_of(key));
  sealed.resize(2 + id.size() + kNonceBytes + static_cast<std::size_t>(written));
  return sealed;
}

std::string FieldCipher::key_id_of(std::string_view sealed) {
  if (sealed.size() < 2 || static_cast<unsigned char>(sealed[0]) != kCipherFormatVersion) return {};
  const std::size_t length = static_cast<unsigned char>(sealed[1]);
  if (sealed.size() < 2 + length + kNonceBytes + kTagBytes) return {};
  return std::string(sealed.substr(2, length));
}

std::string FieldCipher::open(const FieldDef& field, std::string_view sealed) const {
  if (!keys_) no_provider(field);
  const std::string id = key_id_of(sealed);
  if (id.empty())
    throw StoreError(ErrorCode::key, fmt::format("field '{}': the stored value is not an encrypted value of this "
                                                 "version (written before the field was encrypted, or damaged)",
                                                 field.name));
  const std::string& key = key_bytes(field, id);
  const auto* nonce = bytes_of(sealed) + 2 + id.size();
  const std::size_t cipher_length = sealed.size() - 2 - id.size() - kNonceBytes;
  std::string plaintext(cipher_length - kTagBytes, '\0');
  const std::string aad = associated_data(field);
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plaintext.data()), &length, nullptr,
                                                 nonce + kNonceBytes, cipher_length, bytes_of(aad), aad.size(), nonce,
                                                 bytes_of(key)) != 0)
    throw StoreError(ErrorCode::key, fmt::format("field '{}': the stored value does not decrypt with key '{}' (a "
                                                 "different key under that id, or the bytes were altered)",
                                                 field.name, id));
  plaintext.resize(static_cast<std::size_t>(length));
  return plaintext;
}

std::string to_base64(std::string_view bytes) {
  std::string text(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes_of(bytes), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

std::string from_base64(std::string_view text) {
  std::string bytes(text.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(), text.size(), nullptr,
                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return {};
  bytes.resize(length);
  return bytes;
}

}  // namespace hotcrm::detail

namespace hotcrm {
inline namespace v0 {

namespace {
std::string hex_decode(std::string_view hex) {
  std::string bytes(hex.size() / 2, '\0');
  std::size_t length = 0;
  if (hex.size() % 2 != 0 ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), hex.data(), hex.size(), nullptr,
                     &length, nullptr) != 0 ||
      length != bytes.size())
    return {};
  return bytes;
}
}  // namespace

StaticKeyProvider::StaticKeyProvider(std::map<std::string, std::string> keys, std::string current)
    : keys_(std::move(keys)), current_(std::move(current)) {
  for (const auto& [id, bytes] : keys_) {
    if (id.empty() || id.size() > 255) throw UsageError(ErrorCode::usage, "a key id must have 1 to 255 bytes");
    if (bytes.size() != kEncryptionKeyBytes)
      throw UsageError(ErrorCode::usage,
                       fmt::format("key '{}' has {} bytes, expected {}", id, bytes.size(), kEncryptionKeyBytes));
  }
  if (!keys_.contains(current_))
    throw UsageError(ErrorCode::usage, fmt::format("the current key '{}' is not among the keys", current_));
}

StaticKeyProvider StaticKeyProvider::parse(std::string_view text, std::string_view origin) {
  std::map<std::string, std::string> keys;
  std::string current;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.find_first_of(" \t");
    const std::string id(line.substr(0, space));
    std::string_view hex = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.front()))) hex.remove_prefix(1);
    std::string bytes = hex_decode(hex);
    if (bytes.size() != kEncryptionKeyBytes)
      throw UsageError(ErrorCode::parse, fmt::format("{} line {}: expected '<key id> <64 hex digits>' (key '{}')", origin,
                                                     line_number, id));
    if (!keys.emplace(id, std::move(bytes)).second)
      throw UsageError(ErrorCode::parse, fmt::format("{} line {}: key '{}' is listed twice", origin, line_number, id));
    current = id;
  }
  if (keys.empty()) throw UsageError(ErrorCode::parse, fmt::format("{} holds no key", origin));
  return StaticKeyProvider(std::move(keys), std::move(current));
}

StaticKeyProvider StaticKeyProvider::from_file(const std::filesystem::path& path) {
  std::ifstream input(path, std::ios::binary);
  if (!input) throw UsageError(ErrorCode::io, "cannot read the key file " + path.string());
  const std::string text(std::istreambuf_iterator<char>(input), {});
  return parse(text, "key file " + path.string());
}

std::optional<std::string> StaticKeyProvider::key(const std::string& id) const {
  auto it = keys_.find(id);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

std::string generate_key_hex() {
  if (sodium_init() < 0) throw StoreError(ErrorCode::key, "libsodium could not initialise (no entropy source?)");
  unsigned char key[kEncryptionKeyBytes];
  randombytes_buf(key, sizeof key);
  char hex[kEncryptionKeyBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, key, sizeof key);
  sodium_memzero(key, sizeof key);
  return std::string(hex, kEncryptionKeyBytes * 2);
}

}  // namespace v0
}  // namespace hotcrm
