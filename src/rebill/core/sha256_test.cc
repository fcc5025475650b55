#include "rebill/core/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace rebill {
namespace {

// FIPS 180-2's examples, whole and in pieces of every size.
TEST(Sha256Test, KnownVectorsWholeAndInPieces) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  const std::string want = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
  for (size_t piece = 1; piece <= text.size(); ++piece) {
    Sha256 sha;
    for (size_t at = 0; at < text.size(); at += piece) sha.Update(text.substr(at, piece));
    ASSERT_EQ(sha.Hex(), want) << piece;
  }
}

// Asking for the digest does not end the hashing.
TEST(Sha256Test, HexCanBeAskedForBeforeTheEnd) {
  Sha256 sha;
  sha.Update("ab");
  EXPECT_EQ(sha.Hex(), Sha256Hex("ab"));
  sha.Update("c");
  EXPECT_EQ(sha.Hex(), Sha256Hex("abc"));
}

}  // namespace
}  // namespace rebill
