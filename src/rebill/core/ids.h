// AccountId: an AWS account id, twelve digits kept as text so leading zeros survive
// ("011254002932" is not 11254002932).
//
//   REBILL_ASSIGN_OR_RETURN(AccountId id, AccountId::Parse("011254002932"));
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "rebill/core/result.h"

namespace rebill {

class AccountId {
 public:
  AccountId() = default;
  /// Exactly 12 ASCII digits, else kInvalidInput naming the text.
  static Result<AccountId> Parse(std::string_view text);
  /// True if `text` has the shape of an AWS account id.
  static bool IsValid(std::string_view text);

  const std::string& str() const { return id_; }

  friend auto operator<=>(const AccountId&, const AccountId&) = default;

 private:
  explicit AccountId(std::string id) : id_(std::move(id)) {}
  std::string id_;
};

}  // namespace rebill
