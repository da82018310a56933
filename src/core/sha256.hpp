#pragma once
// SHA-256 (FIPS 180-4), for the field history's hash chain. Small and dependency-free: the library
// needs a digest, not a crypto library (libsodium would come only with field encryption).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hotcrm::detail {

using Digest = std::array<std::uint8_t, 32>;

/// Incremental SHA-256: update() any number of times, then finish() once.
class Sha256 {
 public:
  Sha256() noexcept;
  void update(const void* data, std::size_t size) noexcept;
  void update(std::string_view text) noexcept { update(text.data(), text.size()); }
  Digest finish() noexcept;

 private:
  void compress(const std::uint8_t* block) noexcept;
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;  ///< bytes hashed so far
};

Digest sha256(std::string_view data) noexcept;
/// Lowercase hexadecimal, 64 characters.
std::string to_hex(const Digest& digest);
/// Lowercase hexadecimal of any bytes.
std::string to_hex(std::string_view bytes);

}  // namespace hotcrm::detail
