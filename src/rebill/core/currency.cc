#include "rebill/core/currency.h"

#include <algorithm>

namespace rebill {
namespace {

struct CurrencyInfo {
  std::string_view code;
  int minor_units;
};

// ISO 4217 active codes that resellers bill in, with their minor units.
constexpr CurrencyInfo kCurrencies[] = {
    {"AED", 2}, {"ARS", 2}, {"AUD", 2}, {"BGN", 2}, {"BHD", 3}, {"BRL", 2}, {"CAD", 2}, {"CHF", 2},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CZK", 2}, {"DKK", 2}, {"EGP", 2}, {"EUR", 2}, {"GBP", 2},
    {"HKD", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"ISK", 0}, {"JOD", 3}, {"JPY", 0},
    {"KES", 2}, {"KRW", 0}, {"KWD", 3}, {"MXN", 2}, {"MYR", 2}, {"NGN", 2}, {"NOK", 2}, {"NZD", 2},
    {"OMR", 3}, {"PEN", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"QAR", 2}, {"RON", 2}, {"RSD", 2},
    {"SAR", 2}, {"SEK", 2}, {"SGD", 2}, {"THB", 2}, {"TND", 3}, {"TRY", 2}, {"TWD", 2}, {"UAH", 2},
    {"USD", 2}, {"VND", 0}, {"ZAR", 2},
};

}  // namespace

Currency::Currency(std::string_view code, int minor_units) : minor_units_(minor_units) {
  std::copy_n(code.begin(), 3, code_.begin());
}

Result<Currency> Currency::Parse(std::string_view code) {
  for (const CurrencyInfo& info : kCurrencies) {
    if (info.code == code) return Currency(info.code, info.minor_units);
  }
  return InvalidInput("unknown currency '" + std::string(code) +
                      "' (use an ISO 4217 code such as USD or EUR)");
}

Currency Currency::Usd() { return Currency("USD", 2); }

}  // namespace rebill
