#include "rebill/core/currency.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/status_matchers.h"

namespace rebill {
namespace {

TEST(CurrencyTest, KnowsMinorUnits) {
  struct Case {
    const char* code;
    int minor_units;
  };
  const Case cases[] = {
      {"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"JPY", 0}, {"KRW", 0},
      {"KWD", 3}, {"BHD", 3}, {"CHF", 2}, {"ZAR", 2}, {"AED", 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.code);
    ASSERT_OK_AND_ASSIGN(Currency currency, Currency::Parse(c.code));
    EXPECT_EQ(currency.code(), c.code);
    EXPECT_EQ(currency.minor_units(), c.minor_units);
  }
}

TEST(CurrencyTest, UsdShortcutMatchesParse) {
  ASSERT_OK_AND_ASSIGN(Currency usd, Currency::Parse("USD"));
  EXPECT_EQ(Currency::Usd(), usd);
  EXPECT_EQ(Currency::Usd().code(), "USD");
  EXPECT_EQ(Currency::Usd().minor_units(), 2);
  ASSERT_OK_AND_ASSIGN(Currency eur, Currency::Parse("EUR"));
  EXPECT_NE(eur, usd);
}

TEST(CurrencyTest, UnknownCodesAreErrorsNamingTheCode) {
  for (const char* code : {"usd", "Eur", "XYZ", "US", "USDX", "", " USD", "US$"}) {
    SCOPED_TRACE(code);
    EXPECT_STATUS(Currency::Parse(code), StatusCode::kInvalidInput,
                  "unknown currency '" + std::string(code) + "'");
  }
}

}  // namespace
}  // namespace rebill
