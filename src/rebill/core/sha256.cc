#include "rebill/core/sha256.h"

#include <openssl/evp.h>

#include "rebill/core/check.h"
#include "rebill/core/hex.h"

namespace rebill {

// OpenSSL fails here only when it cannot allocate, which nothing in rebill recovers from.
struct Sha256::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  REBILL_CHECK_MSG(
      context_->ctx != nullptr && EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr) == 1,
      "SHA-256 is not available");
}

Sha256::~Sha256() = default;

void Sha256::Update(std::string_view bytes) {
  REBILL_CHECK_MSG(EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size()) == 1,
                   "SHA-256 failed");
}

std::string Sha256::Hex() const {
  // A copy is finalized, so that more can be given afterwards.
  Context copy;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  REBILL_CHECK_MSG(copy.ctx != nullptr && EVP_MD_CTX_copy_ex(copy.ctx, context_->ctx) == 1 &&
                       EVP_DigestFinal_ex(copy.ctx, digest, &length) == 1,
                   "SHA-256 failed");
  return LowerHex(digest, length);
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 sha;
  sha.Update(bytes);
  return sha.Hex();
}

}  // namespace rebill
