// Currency: an ISO 4217 code with its number of minor units (USD 2, JPY 0, KWD 3). Statements
// round to the minor unit; amounts always travel beside their currency.
//
//   REBILL_ASSIGN_OR_RETURN(Currency eur, Currency::Parse("EUR"));
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "rebill/core/result.h"

namespace rebill {

class Currency {
 public:
  /// The ISO 4217 currency with code `code` (upper case), or kInvalidInput naming the code.
  static Result<Currency> Parse(std::string_view code);
  static Currency Usd();

  std::string_view code() const { return {code_.data(), 3}; }
  int minor_units() const { return minor_units_; }

  friend bool operator==(const Currency&, const Currency&) = default;

 private:
  Currency(std::string_view code, int minor_units);
  std::array<char, 3> code_{};
  int minor_units_ = 2;
};

}  // namespace rebill
