#include "rebill/core/ids.h"

namespace rebill {

bool AccountId::IsValid(std::string_view text) {
  if (text.size() != 12) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<AccountId> AccountId::Parse(std::string_view text) {
  if (!IsValid(text)) {
    return InvalidInput("'" + std::string(text) +
                        "' is not an AWS account id (12 digits; quote it in TOML so leading "
                        "zeros are kept)");
  }
  return AccountId(std::string(text));
}

}  // namespace rebill
