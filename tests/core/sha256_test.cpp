// SHA-256 against the FIPS 180-2 examples (appendix B) and split-input consistency.
#include <doctest/doctest.h>

#include <string>

#include "core/sha256.hpp"

using hotcrm::detail::Sha256;
using hotcrm::detail::sha256;
using hotcrm::detail::to_hex;

TEST_CASE("sha256: FIPS 180-2 example messages" * doctest::test_suite("core")) {
  CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(to_hex(sha256(std::string(1'000'000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("sha256: lengths around the padding boundary and split updates agree" * doctest::test_suite("core")) {
  // 55, 56 and 64 bytes: the length field fits, just misses, and a full block of input.
  CHECK(to_hex(sha256(std::string(55, 'a'))) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(to_hex(sha256(std::string(56, 'a'))) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(to_hex(sha256(std::string(64, 'a'))) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  const std::string text = "The quick brown fox jumps over the lazy dog, several times over, to cross a block edge.";
  for (std::size_t split = 0; split <= text.size(); split += 7) {
    Sha256 hasher;
    hasher.update(std::string_view(text).substr(0, split));
    hasher.update(std::string_view(text).substr(split));
    CHECK(hasher.finish() == sha256(text));
  }
  CHECK(sha256("abc") != sha256("abd"));
}
