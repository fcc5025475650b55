// SHA-256 fed in pieces, as files and month bodies are hashed (OpenSSL's implementation, which
// uses the CPU's SHA extensions where there are any).
//
//   Sha256 sha;
//   sha.Update(piece);  // as many times as there are pieces
//   std::string hex = sha.Hex();  // "ba7816bf..."
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace rebill {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  /// The digest of everything given so far, in lowercase hex; more may be given afterwards.
  std::string Hex() const;

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

/// The SHA-256 of `bytes`, in lowercase hex.
std::string Sha256Hex(std::string_view bytes);

}  // namespace rebill
