#include "rebill/core/decimal.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace rebill {
namespace {

using Rep = Decimal::Rep;

constexpr Rep kMaxRaw = (((Rep{1} << 126) - 1) << 1) + 1;  // 2^127 - 1
constexpr Rep kMinRaw = -kMaxRaw - 1;                      // -2^127
constexpr Decimal kMax = Decimal::FromRaw(kMaxRaw);
constexpr Decimal kMin = Decimal::FromRaw(kMinRaw);
constexpr char kMaxText[] = "170141183460469231731.687303715884105727";
constexpr char kMinText[] = "-170141183460469231731.687303715884105728";

constexpr Rep Pow10(int n) {
  Rep p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

Decimal Raw(Rep raw) { return Decimal::FromRaw(raw); }

// ---------------------------------------------------------------------------------------------
// Parsing

TEST(DecimalParseTest, ParsesCurAndFocusNumbersExactly) {
  struct Case {
    const char* text;
    Rep raw;
  };
  const Case cases[] = {
      {"0.0000300172", Rep{300172} * Pow10(8)},
      {"-1.3E-9", Rep{-13} * Pow10(8)},
      {"4.0E-7", Rep{4} * Pow10(11)},
      {"1E3", Rep{1000} * Pow10(18)},
      {"1e3", Rep{1000} * Pow10(18)},
      {"+1e+3", Rep{1000} * Pow10(18)},
      {"2.5e-1", Rep{25} * Pow10(16)},
      {"+5", Rep{5} * Pow10(18)},
      {"-0.0", 0},
      {"0", 0},
      {"000", 0},
      {".5", Rep{5} * Pow10(17)},
      {"5.", Rep{5} * Pow10(18)},
      {"-.25", Rep{-25} * Pow10(16)},
      {"007.50", Rep{75} * Pow10(17)},
      {"12", Rep{12} * Pow10(18)},
      {"-0.50", Rep{-5} * Pow10(17)},
      {"1.68230869740", Rep{168230869740} * Pow10(7)},
      // FOCUS: 15 fractional digits.
      {"0.123456789012345", Rep{123456789012345} * Pow10(3)},
      // The full scale: 18 fractional digits.
      {"-1.123456789012345678", Rep{-1123456789012345678}},
      {"0.000000000000000001", 1},
      // Zeros beyond the 18th fractional digit carry no information.
      {"1.5000000000000000000000", Rep{15} * Pow10(17)},
      {"1E-18", 1},
      {"0.01E-16", 1},
      {"1000000000000", Pow10(30)},  // 10^12, the least total DESIGN.md requires
      {"1e20", Pow10(38)},
      // 19 and 20 significant digits, across the parser's switch from 64 to 128 bits.
      {"1234567890.123456789", Rep{1234567890123456789} * Pow10(9)},
      {"-12345678901234567890.5", -(Rep{1234567890123456789} * 100 + 5) * Pow10(17)},
      {"00000000000000000000001.00000000000000000000", Pow10(18)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    ASSERT_OK_AND_ASSIGN(Decimal d, Decimal::Parse(c.text));
    EXPECT_EQ(d.raw(), c.raw);
  }
}

TEST(DecimalParseTest, NegativeZeroIsZero) {
  ASSERT_OK_AND_ASSIGN(Decimal d, Decimal::Parse("-0.0"));
  EXPECT_TRUE(d.IsZero());
  EXPECT_EQ(d.Sign(), 0);
  EXPECT_EQ(d, Decimal());
  EXPECT_EQ(d.ToString(), "0");
}

TEST(DecimalParseTest, ParsesTheLimitsOfTheRepresentation) {
  ASSERT_OK_AND_ASSIGN(Decimal max, Decimal::Parse(kMaxText));
  EXPECT_EQ(max, kMax);
  ASSERT_OK_AND_ASSIGN(Decimal min, Decimal::Parse(kMinText));
  EXPECT_EQ(min, kMin);
  // 39 significant digits that fit.
  ASSERT_OK_AND_ASSIGN(Decimal d, Decimal::Parse("100000000000000000000.000000000000000001"));
  EXPECT_EQ(d.raw(), Pow10(38) + 1);
}

TEST(DecimalParseTest, RejectsMoreThan18FractionalDigits) {
  for (const char* text : {"0.0000000000000000001", "1.1234567890123456789", "1E-19", "0.1E-18",
                           "-123.4567890123456789012"}) {
    SCOPED_TRACE(text);
    EXPECT_STATUS(Decimal::Parse(text), StatusCode::kInvalidInput, "'" + std::string(text) + "'");
    EXPECT_STATUS(Decimal::Parse(text), StatusCode::kInvalidInput, "18 fractional digits");
  }
}

TEST(DecimalParseTest, EmptyTextIsAnError) {
  EXPECT_STATUS(Decimal::Parse(""), StatusCode::kInvalidInput, "empty");
}

TEST(DecimalParseTest, RejectsGarbageQuotingTheText) {
  for (const char* text : {"1.2.3", "abc", "1e", "--1", "1 ", " 1", "+", "-", ".", "e5", "1e+",
                           "1,5", "0x10", "1.5USD", "NaN", "inf", "1e5.5", "++1", "1E--3"}) {
    SCOPED_TRACE(text);
    EXPECT_STATUS(Decimal::Parse(text), StatusCode::kInvalidInput,
                  "'" + std::string(text) + "' is not a decimal number");
  }
}

TEST(DecimalParseTest, SaysWhereASpaceIs) {
  EXPECT_STATUS(Decimal::Parse(" 1.5"), StatusCode::kInvalidInput,
                "' 1.5' is not a decimal number (a space before the number)");
  EXPECT_STATUS(Decimal::Parse("-\t2"), StatusCode::kInvalidInput, "(a space before the number)");
  EXPECT_STATUS(Decimal::Parse("1.5 "), StatusCode::kInvalidInput,
                "'1.5 ' is not a decimal number (a space after the number)");
  EXPECT_STATUS(Decimal::Parse("1 000"), StatusCode::kInvalidInput, "(a space inside the number)");
  EXPECT_STATUS(Decimal::Parse("x"), StatusCode::kInvalidInput, "(no digits)");
  EXPECT_STATUS(Decimal::Parse("1x"), StatusCode::kInvalidInput, "(unexpected character)");
}

TEST(DecimalParseTest, OverflowIsAnErrorNeverAWrap) {
  for (const char* text : {
           "1e30",
           "-1e30",
           "1e21",
           "1234567890123456789012345678901234567890",   // 40 digits
           "-1234567890123456789012345678901234567890",  // 40 digits
           "123456789012345678901234567890123456789",    // 39 digits, too large
           "170141183460469231732",
           "170141183460469231731.687303715884105728",   // max + 1 unit
           "-170141183460469231731.687303715884105729",  // min - 1 unit
           "340282366920938463463374607431768211456",    // 2^128
           "1e1000000",
           "0.1e22",
       }) {
    SCOPED_TRACE(text);
    EXPECT_STATUS(Decimal::Parse(text), StatusCode::kInvalidInput, "'" + std::string(text));
  }
}

TEST(DecimalParseTest, ReportsTheFractionDigitsAsWritten) {
  struct Case {
    const char* text;
    int digits;
  };
  const Case cases[] = {
      {"4.0E-7", 8}, {"1.68230869740", 11},
      {"1.50", 2},   {"12", 0},
      {"1E3", 0},    {"5.", 0},
      {".5", 1},     {"1.5E1", 0},
      {"1.25E1", 1}, {"-1.3E-9", 10},
      {"-0.0", 1},   {"0.0000300172", 10},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    int digits = -1;
    Result<Decimal> parsed = Decimal::Parse(c.text, &digits);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(digits, c.digits);
  }
}

// Plain text is read by a faster path than text with an exponent; the same digits written both
// ways ("-12.345" and "-12345E-3") must give the same value, fraction digits and failures.
TEST(DecimalParseTest, PlainTextReadsAsTheSameDigitsWithAnExponent) {
  std::mt19937_64 rng(20261124);
  const char* signs[] = {"", "-", "+"};
  for (int i = 0; i < 200000; ++i) {
    auto digits = [&](size_t n) {
      std::string out;
      for (size_t k = 0; k < n; ++k) {
        // Runs of zeros, as CUR amounts have, as well as any digit.
        out.push_back(rng() % 3 == 0 ? '0' : static_cast<char>('0' + rng() % 10));
      }
      return out;
    };
    std::string whole = digits(rng() % 13);
    bool point = rng() % 4 != 0;
    std::string fraction = point ? digits(rng() % 22) : "";
    if (whole.empty() && fraction.empty()) continue;
    std::string sign = signs[rng() % 3];
    std::string plain = sign + whole + (point ? "." : "") + fraction;
    std::string scientific = sign + whole + fraction + "E-" + std::to_string(fraction.size());
    SCOPED_TRACE(plain);
    int plain_digits = -1, scientific_digits = -1;
    Result<Decimal> a = Decimal::Parse(plain, &plain_digits);
    Result<Decimal> b = Decimal::Parse(scientific, &scientific_digits);
    ASSERT_EQ(a.ok(), b.ok()) << scientific;
    if (!a.ok()) continue;
    EXPECT_EQ(*a, *b) << scientific;
    EXPECT_EQ(plain_digits, scientific_digits) << scientific;
  }
}

TEST(DecimalParseTest, NullableTreatsEmptyAsNull) {
  int digits = 99;
  ASSERT_OK_AND_ASSIGN(std::optional<Decimal> empty, Decimal::ParseNullable("", &digits));
  EXPECT_FALSE(empty.has_value());
  EXPECT_EQ(digits, 0);

  ASSERT_OK_AND_ASSIGN(std::optional<Decimal> value, Decimal::ParseNullable("2.50", &digits));
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(*value, Decimal::FromRaw(Rep{25} * Pow10(17)));
  EXPECT_EQ(digits, 2);

  ASSERT_OK_AND_ASSIGN(std::optional<Decimal> zero, Decimal::ParseNullable("0"));
  ASSERT_TRUE(zero.has_value());
  EXPECT_TRUE(zero->IsZero());

  EXPECT_STATUS(Decimal::ParseNullable("x1"), StatusCode::kInvalidInput, "'x1'");
  EXPECT_STATUS(Decimal::ParseNullable(" "), StatusCode::kInvalidInput, "' '");
}

// ---------------------------------------------------------------------------------------------
// Text

TEST(DecimalToStringTest, RoundTripsExactly) {
  for (const char* text : {"0", "1", "-1", "0.5", "-0.5", "12.34", "0.0000300172", "-0.0000000013",
                           "0.0000004", "1000", "1.68230869740", "0.123456789012345",
                           "-1.123456789012345678", "0.000000000000000001", "1000000000000",
                           "999999999999.999999999999999999", kMaxText, kMinText}) {
    SCOPED_TRACE(text);
    ASSERT_OK_AND_ASSIGN(Decimal d, Decimal::Parse(text));
    std::string printed = d.ToString();
    ASSERT_OK_AND_ASSIGN(Decimal again, Decimal::Parse(printed));
    EXPECT_EQ(again, d);
  }
}

TEST(DecimalToStringTest, PrintsCanonicalTextWithoutExponent) {
  EXPECT_EQ(D("4.0E-7").ToString(), "0.0000004");
  EXPECT_EQ(D("-1.3E-9").ToString(), "-0.0000000013");
  EXPECT_EQ(D("1E3").ToString(), "1000");
  EXPECT_EQ(D("1.50").ToString(), "1.5");
  EXPECT_EQ(D("007.50").ToString(), "7.5");
  EXPECT_EQ(D("-0.05").ToString(), "-0.05");
  EXPECT_EQ(D("1.68230869740").ToString(), "1.6823086974");
  EXPECT_EQ(D("0.000000000000000001").ToString(), "0.000000000000000001");
  EXPECT_EQ(kMax.ToString(), kMaxText);
  EXPECT_EQ(kMin.ToString(), kMinText);
  EXPECT_EQ(Decimal().ToString(), "0");
  EXPECT_EQ(Decimal::FromInt(-42).ToString(), "-42");
  EXPECT_EQ(Decimal::FromInt(INT64_MIN).ToString(), "-9223372036854775808");
}

TEST(DecimalToStringTest, PadsToMinFractionDigitsButNeverTruncates) {
  EXPECT_EQ(D("1.5").ToString(2), "1.50");
  EXPECT_EQ(D("1.234").ToString(2), "1.234");
  EXPECT_EQ(D("7").ToString(0), "7");
  EXPECT_EQ(D("7").ToString(3), "7.000");
  EXPECT_EQ(D("-7").ToString(2), "-7.00");
  EXPECT_EQ(Decimal().ToString(2), "0.00");
  EXPECT_EQ(D("1.6823086974").ToString(11), "1.68230869740");
  EXPECT_EQ(D("1").ToString(18), "1.000000000000000000");
  EXPECT_EQ(D("1").ToString(25), "1.000000000000000000");  // clamped to the scale
  EXPECT_EQ(D("1.5").ToString(-3), "1.5");
}

// ---------------------------------------------------------------------------------------------
// Comparison and simple accessors

TEST(DecimalCompareTest, OrdersByValue) {
  EXPECT_EQ(D("1.10"), D("1.1"));
  EXPECT_EQ(D("1E3"), Decimal::FromInt(1000));
  EXPECT_NE(D("1.1"), D("1.100000000000000001"));
  EXPECT_LT(D("1.1"), D("1.100000000000000001"));
  EXPECT_LT(D("-2"), D("-1.5"));
  EXPECT_LT(D("-0.000000000000000001"), Decimal());
  EXPECT_GT(D("0.000000000000000001"), Decimal());
  EXPECT_LT(kMin, kMax);
  EXPECT_LE(D("3"), D("3.0"));
  EXPECT_GE(D("3"), D("2.999999999999999999"));
}

TEST(DecimalCompareTest, SignAbsAndNegation) {
  EXPECT_EQ(D("-2.5").Sign(), -1);
  EXPECT_EQ(D("2.5").Sign(), 1);
  EXPECT_EQ(Decimal().Sign(), 0);
  EXPECT_EQ(D("-2.5").Abs(), D("2.5"));
  EXPECT_EQ(D("2.5").Abs(), D("2.5"));
  EXPECT_EQ(-D("2.5"), D("-2.5"));
  EXPECT_EQ(-kMax, Decimal::FromRaw(kMinRaw + 1));
  EXPECT_EQ(Decimal::FromInt(3).raw(), Rep{3} * Decimal::kOne);
}

TEST(DecimalDeathTest, NegatingTheMinimumAborts) {
  EXPECT_DEATH({ (void)(-kMin); }, "overflow");
  EXPECT_DEATH({ (void)kMin.Abs(); }, "overflow");
}

// ---------------------------------------------------------------------------------------------
// Addition and subtraction

TEST(DecimalAddTest, AddsAndSubtractsExactly) {
  EXPECT_EQ(D("0.1") + D("0.2"), D("0.3"));
  EXPECT_EQ(D("0.0000300172") + D("-1.3E-9"), D("0.0000300159"));
  EXPECT_EQ(D("1") - D("1.000000000000000001"), D("-0.000000000000000001"));
  Decimal sum = D("10");
  sum += D("2.5");
  sum -= D("0.25");
  EXPECT_EQ(sum, D("12.25"));
  ASSERT_OK_AND_ASSIGN(Decimal added, Decimal::Add(D("1.5"), D("-3")));
  EXPECT_EQ(added, D("-1.5"));
  ASSERT_OK_AND_ASSIGN(Decimal subtracted, Decimal::Sub(D("1.5"), D("-3")));
  EXPECT_EQ(subtracted, D("4.5"));
}

TEST(DecimalAddTest, TryAddAndTrySubDetectOverflowAtTheLimits) {
  const Decimal unit = Raw(1);

  Decimal d = kMax;
  EXPECT_FALSE(d.TryAdd(unit));
  EXPECT_EQ(d, kMax);  // unchanged
  EXPECT_FALSE(d.TrySub(-unit));
  EXPECT_EQ(d, kMax);
  EXPECT_FALSE(d.TryAdd(kMax));
  EXPECT_EQ(d, kMax);

  d = kMin;
  EXPECT_FALSE(d.TrySub(unit));
  EXPECT_EQ(d, kMin);
  EXPECT_FALSE(d.TryAdd(-unit));
  EXPECT_EQ(d, kMin);
  EXPECT_FALSE(d.TrySub(kMax));
  EXPECT_EQ(d, kMin);

  // Right at the limits is fine.
  d = Raw(kMaxRaw - 1);
  EXPECT_TRUE(d.TryAdd(unit));
  EXPECT_EQ(d, kMax);
  d = Raw(kMinRaw + 1);
  EXPECT_TRUE(d.TrySub(unit));
  EXPECT_EQ(d, kMin);
  d = kMax;
  EXPECT_TRUE(d.TryAdd(kMin));
  EXPECT_EQ(d, Raw(-1));
  d = Decimal();
  EXPECT_TRUE(d.TrySub(kMax));
  EXPECT_EQ(d, Raw(kMinRaw + 1));

  EXPECT_STATUS(Decimal::Add(kMax, unit), StatusCode::kInvalidInput, "overflow");
  EXPECT_STATUS(Decimal::Sub(kMin, unit), StatusCode::kInvalidInput, "overflow");
  EXPECT_STATUS(Decimal::Sub(Decimal(), kMin), StatusCode::kInvalidInput, "overflow");
}

TEST(DecimalDeathTest, OperatorOverflowAborts) {
  EXPECT_DEATH({ (void)(kMax + Raw(1)); }, "decimal overflow in addition");
  EXPECT_DEATH({ (void)(kMin - Raw(1)); }, "decimal overflow in subtraction");
  EXPECT_DEATH(
      {
        Decimal d = kMax;
        d += D("0.000000000000000001");
      },
      "decimal overflow in addition");
  EXPECT_DEATH(
      {
        Decimal d = kMin;
        d -= D("1");
      },
      "decimal overflow in subtraction");
}

TEST(DecimalSumTest, LatchesTheFirstOverflow) {
  DecimalSum sum;
  EXPECT_TRUE(sum.Add(D("1.5")));
  EXPECT_TRUE(sum.Add(D("-0.25")));
  EXPECT_EQ(sum.value(), D("1.25"));
  EXPECT_FALSE(sum.overflow());

  DecimalSum big;
  EXPECT_TRUE(big.Add(kMax));
  EXPECT_FALSE(big.Add(Raw(1)));
  EXPECT_TRUE(big.overflow());
  // Stays invalid even when a later term would bring it back into range.
  EXPECT_FALSE(big.Add(D("-1")));
  EXPECT_TRUE(big.overflow());
}

// ---------------------------------------------------------------------------------------------
// Multiplication and division

TEST(DecimalMulTest, MultipliesExactly) {
  ASSERT_OK_AND_ASSIGN(Decimal product, Decimal::Mul(D("1.5"), D("2")));
  EXPECT_EQ(product, D("3"));
  ASSERT_OK_AND_ASSIGN(product, Decimal::Mul(D("0.0000300172"), D("720")));
  EXPECT_EQ(product, D("0.021612384"));
  ASSERT_OK_AND_ASSIGN(product, Decimal::Mul(D("123456789.123456789"), D("1000000000")));
  EXPECT_EQ(product, D("123456789123456789"));
  ASSERT_OK_AND_ASSIGN(product, Decimal::Mul(D("0.000000001"), D("0.000000001")));
  EXPECT_EQ(product, Raw(1));
  ASSERT_OK_AND_ASSIGN(product, Decimal::Mul(kMax, D("1")));
  EXPECT_EQ(product, kMax);
  ASSERT_OK_AND_ASSIGN(product, Decimal::Mul(kMin, D("1")));
  EXPECT_EQ(product, kMin);
}

// Products whose 256-bit intermediate has a high half take the 64-bit-limb division; repeated
// addition is the independent check.
TEST(DecimalMulTest, LargeProductsEqualRepeatedAddition) {
  uint64_t state = 12345;
  for (int i = 0; i < 200; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    Decimal a = Raw(static_cast<Decimal::Rep>(state >> 3) * 1000003);
    int k = static_cast<int>(state % 997) + 1;
    Decimal sum;
    for (int j = 0; j < k; ++j) sum += a;
    ASSERT_OK_AND_ASSIGN(Decimal product, Decimal::Mul(a, Decimal::FromInt(k)));
    EXPECT_EQ(product, sum) << a.ToString() << " x " << k;
    ASSERT_OK_AND_ASSIGN(Decimal back,
                         Decimal::MulDiv(sum, Decimal::FromInt(1), Decimal::FromInt(k)));
    EXPECT_EQ(back, a);
  }
}

TEST(DecimalMulTest, SignCombinations) {
  struct Case {
    const char* a;
    const char* b;
    const char* expected;
  };
  const Case cases[] = {
      {"1.5", "2", "3"}, {"-1.5", "2", "-3"}, {"1.5", "-2", "-3"},      {"-1.5", "-2", "3"},
      {"0", "-5", "0"},  {"-5", "0", "0"},    {"-0.5", "0.5", "-0.25"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.a) + " * " + c.b);
    ASSERT_OK_AND_ASSIGN(Decimal product, Decimal::Mul(D(c.a), D(c.b)));
    EXPECT_EQ(product, D(c.expected));
  }
}

TEST(DecimalMulTest, RoundsTiesAtTheLastDigitByMode) {
  const Decimal nano = D("0.000000001");
  struct Case {
    const char* b;  // nano * b
    Rep half_up;
    Rep half_even;
    Rep down;
  };
  const Case cases[] = {
      {"0.0000000005", 1, 0, 0},      // 0.5 units
      {"0.0000000015", 2, 2, 1},      // 1.5 units
      {"0.0000000025", 3, 2, 2},      // 2.5 units
      {"0.0000000024", 2, 2, 2},      // 2.4 units
      {"0.0000000026", 3, 3, 2},      // 2.6 units
      {"-0.0000000005", -1, 0, 0},    // -0.5 units
      {"-0.0000000015", -2, -2, -1},  // -1.5 units
      {"-0.0000000025", -3, -2, -2},  // -2.5 units
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.b);
    ASSERT_OK_AND_ASSIGN(Decimal up, Decimal::Mul(nano, D(c.b), RoundingMode::kHalfUp));
    EXPECT_EQ(up.raw(), c.half_up);
    ASSERT_OK_AND_ASSIGN(Decimal even, Decimal::Mul(nano, D(c.b), RoundingMode::kHalfEven));
    EXPECT_EQ(even.raw(), c.half_even);
    ASSERT_OK_AND_ASSIGN(Decimal down, Decimal::Mul(nano, D(c.b), RoundingMode::kDown));
    EXPECT_EQ(down.raw(), c.down);
  }
  // The default is half-even.
  ASSERT_OK_AND_ASSIGN(Decimal by_default, Decimal::Mul(nano, D("0.0000000025")));
  EXPECT_EQ(by_default.raw(), 2);
}

TEST(DecimalMulTest, OverflowIsAnError) {
  EXPECT_STATUS(Decimal::Mul(D("1e10"), D("1e11")), StatusCode::kInvalidInput, "overflow");
  EXPECT_STATUS(Decimal::Mul(D("-1e10"), D("1e11")), StatusCode::kInvalidInput, "overflow");
  EXPECT_STATUS(Decimal::Mul(kMax, D("1.000000000000000001")), StatusCode::kInvalidInput,
                "overflow");
  EXPECT_STATUS(Decimal::Mul(kMin, D("-1")), StatusCode::kInvalidInput, "overflow");
  EXPECT_STATUS(Decimal::Mul(kMax, kMax), StatusCode::kInvalidInput, "overflow");
}

TEST(DecimalDivTest, DividesAndRounds) {
  struct Case {
    const char* a;
    const char* b;
    RoundingMode mode;
    const char* expected;
  };
  const Case cases[] = {
      {"1", "3", RoundingMode::kHalfEven, "0.333333333333333333"},
      {"1", "3", RoundingMode::kHalfUp, "0.333333333333333333"},
      {"2", "3", RoundingMode::kHalfEven, "0.666666666666666667"},
      {"2", "3", RoundingMode::kHalfUp, "0.666666666666666667"},
      {"2", "3", RoundingMode::kDown, "0.666666666666666666"},
      {"-2", "3", RoundingMode::kHalfUp, "-0.666666666666666667"},
      {"-2", "3", RoundingMode::kDown, "-0.666666666666666666"},
      {"2", "-3", RoundingMode::kHalfEven, "-0.666666666666666667"},
      {"-2", "-3", RoundingMode::kDown, "0.666666666666666666"},
      {"1", "-8", RoundingMode::kDown, "-0.125"},
      {"10", "4", RoundingMode::kDown, "2.5"},
      {"0", "-7", RoundingMode::kHalfUp, "0"},
      {"1e20", "1e20", RoundingMode::kDown, "1"},
      {"0.000000000000000001", "1e18", RoundingMode::kHalfUp, "0"},
      // Exact ties at the 18th digit.
      {"0.000000000000000001", "2", RoundingMode::kHalfEven, "0"},
      {"0.000000000000000001", "2", RoundingMode::kHalfUp, "0.000000000000000001"},
      {"0.000000000000000003", "2", RoundingMode::kHalfEven, "0.000000000000000002"},
      {"0.000000000000000003", "2", RoundingMode::kDown, "0.000000000000000001"},
      {"0.000000000000000005", "2", RoundingMode::kHalfEven, "0.000000000000000002"},
      {"0.000000000000000005", "2", RoundingMode::kHalfUp, "0.000000000000000003"},
      {"-0.000000000000000005", "2", RoundingMode::kHalfUp, "-0.000000000000000003"},
      {"-0.000000000000000005", "2", RoundingMode::kHalfEven, "-0.000000000000000002"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.a) + " / " + c.b + " " + std::string(RoundingModeName(c.mode)));
    ASSERT_OK_AND_ASSIGN(Decimal q, Decimal::Div(D(c.a), D(c.b), c.mode));
    EXPECT_EQ(q, D(c.expected));
  }
}

TEST(DecimalDivTest, DivisionByZeroIsAnError) {
  EXPECT_STATUS(Decimal::Div(D("1"), Decimal()), StatusCode::kInvalidInput, "division by zero");
  EXPECT_STATUS(Decimal::Div(Decimal(), Decimal()), StatusCode::kInvalidInput, "division by zero");
  EXPECT_STATUS(Decimal::MulDiv(D("1"), D("2"), D("-0.0")), StatusCode::kInvalidInput,
                "division by zero");
}

TEST(DecimalDivTest, QuotientOverflowIsAnError) {
  EXPECT_STATUS(Decimal::Div(D("1e20"), D("0.1")), StatusCode::kInvalidInput, "overflow");
  EXPECT_STATUS(Decimal::Div(kMax, D("0.000000000000000001")), StatusCode::kInvalidInput,
                "overflow");
  EXPECT_STATUS(Decimal::Div(kMin, D("-1")), StatusCode::kInvalidInput, "overflow");
  ASSERT_OK_AND_ASSIGN(Decimal min, Decimal::Div(kMin, D("1")));
  EXPECT_EQ(min, kMin);
}

TEST(DecimalMulDivTest, UsesA256BitIntermediate) {
  // 10^11 * 10^8 has a raw product of 10^55, far beyond 128 bits.
  ASSERT_OK_AND_ASSIGN(Decimal third, Decimal::MulDiv(D("1e11"), D("1e8"), D("3")));
  EXPECT_EQ(third, D("3333333333333333333.333333333333333333"));
  ASSERT_OK_AND_ASSIGN(Decimal two_thirds, Decimal::MulDiv(D("1e11"), D("2e8"), D("3")));
  EXPECT_EQ(two_thirds, D("6666666666666666666.666666666666666667"));
  ASSERT_OK_AND_ASSIGN(Decimal down,
                       Decimal::MulDiv(D("1e11"), D("2e8"), D("3"), RoundingMode::kDown));
  EXPECT_EQ(down, D("6666666666666666666.666666666666666666"));
  // a * b alone overflows, a * b / c does not.
  ASSERT_OK_AND_ASSIGN(Decimal scaled, Decimal::MulDiv(D("1e15"), D("1e15"), D("1e12")));
  EXPECT_EQ(scaled, D("1e18"));
  ASSERT_OK_AND_ASSIGN(Decimal same, Decimal::MulDiv(kMax, kMax, kMax));
  EXPECT_EQ(same, kMax);
  // A divisor with the top bit of the magnitude set.
  ASSERT_OK_AND_ASSIGN(Decimal one, Decimal::MulDiv(kMin, D("1"), kMin));
  EXPECT_EQ(one, D("1"));
  ASSERT_OK_AND_ASSIGN(Decimal ratio, Decimal::MulDiv(kMax, D("1"), kMin, RoundingMode::kDown));
  EXPECT_EQ(ratio, D("-0.999999999999999999"));
  ASSERT_OK_AND_ASSIGN(Decimal ratio_up,
                       Decimal::MulDiv(kMax, D("1"), kMin, RoundingMode::kHalfUp));
  EXPECT_EQ(ratio_up, D("-1"));

  EXPECT_STATUS(Decimal::MulDiv(D("1e20"), D("1e20"), D("1")), StatusCode::kInvalidInput,
                "overflow");
}

TEST(DecimalMulDivTest, SignCombinations) {
  const char* a = "7";
  const char* b = "3";
  const char* c = "2";
  struct Case {
    int sa, sb, sc;
    const char* expected;
  };
  const Case cases[] = {
      {1, 1, 1, "10.5"},   {-1, 1, 1, "-10.5"}, {1, -1, 1, "-10.5"}, {1, 1, -1, "-10.5"},
      {-1, -1, 1, "10.5"}, {-1, 1, -1, "10.5"}, {1, -1, -1, "10.5"}, {-1, -1, -1, "-10.5"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(::testing::Message() << k.sa << " " << k.sb << " " << k.sc);
    Decimal x = k.sa < 0 ? -D(a) : D(a);
    Decimal y = k.sb < 0 ? -D(b) : D(b);
    Decimal z = k.sc < 0 ? -D(c) : D(c);
    ASSERT_OK_AND_ASSIGN(Decimal r, Decimal::MulDiv(x, y, z));
    EXPECT_EQ(r, D(k.expected));
  }
  ASSERT_OK_AND_ASSIGN(Decimal zero, Decimal::MulDiv(Decimal(), D("-3"), D("-2")));
  EXPECT_EQ(zero, Decimal());
  // A negative exact tie at the 18th digit (-2.5 units) rounds away from zero with half-up.
  ASSERT_OK_AND_ASSIGN(Decimal tie, Decimal::MulDiv(D("-0.000000000000000001"), D("5"), D("2"),
                                                    RoundingMode::kHalfUp));
  EXPECT_EQ(tie, D("-0.000000000000000003"));
}

// ---------------------------------------------------------------------------------------------
// Rounding

TEST(DecimalRoundTest, RoundsToTwoDigitsByMode) {
  struct Case {
    const char* value;
    const char* half_up;
    const char* half_even;
    const char* down;
  };
  const Case cases[] = {
      {"2.345", "2.35", "2.34", "2.34"},
      {"-2.345", "-2.35", "-2.34", "-2.34"},
      {"2.355", "2.36", "2.36", "2.35"},
      {"-2.355", "-2.36", "-2.36", "-2.35"},
      {"2.3451", "2.35", "2.35", "2.34"},
      {"2.3449", "2.34", "2.34", "2.34"},
      {"9.995", "10", "10", "9.99"},
      {"-9.995", "-10", "-10", "-9.99"},
      {"0.005", "0.01", "0", "0"},
      {"-0.005", "-0.01", "0", "0"},
      {"1.2", "1.2", "1.2", "1.2"},
      {"0", "0", "0", "0"},
      {"0.004999999999999999", "0", "0", "0"},
      {"0.015", "0.02", "0.02", "0.01"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(D(c.value).Round(2, RoundingMode::kHalfUp), D(c.half_up));
    EXPECT_EQ(D(c.value).Round(2, RoundingMode::kHalfEven), D(c.half_even));
    EXPECT_EQ(D(c.value).Round(2, RoundingMode::kDown), D(c.down));
  }
}

TEST(DecimalRoundTest, RoundsToZeroDigitsByMode) {
  struct Case {
    const char* value;
    const char* half_up;
    const char* half_even;
    const char* down;
  };
  const Case cases[] = {
      {"2.5", "3", "2", "2"},
      {"3.5", "4", "4", "3"},
      {"-2.5", "-3", "-2", "-2"},
      {"-3.5", "-4", "-4", "-3"},
      {"0.4", "0", "0", "0"},
      {"-0.5", "-1", "0", "0"},
      {"0.5", "1", "0", "0"},
      {"2.51", "3", "3", "2"},
      {"-2.49", "-2", "-2", "-2"},
      {"7", "7", "7", "7"},
      {"1e12", "1e12", "1e12", "1e12"},
      {"999999999999.5", "1000000000000", "1000000000000", "999999999999"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(D(c.value).Round(0, RoundingMode::kHalfUp), D(c.half_up));
    EXPECT_EQ(D(c.value).Round(0, RoundingMode::kHalfEven), D(c.half_even));
    EXPECT_EQ(D(c.value).Round(0, RoundingMode::kDown), D(c.down));
  }
  // A negative value that rounds to zero is plain zero.
  Decimal rounded = D("-0.4").Round(0, RoundingMode::kHalfUp);
  EXPECT_EQ(rounded.Sign(), 0);
  EXPECT_EQ(rounded.ToString(), "0");
}

TEST(DecimalRoundTest, RoundsToThreeDigitsByMode) {
  struct Case {
    const char* value;
    const char* half_up;
    const char* half_even;
    const char* down;
  };
  const Case cases[] = {
      {"1.0005", "1.001", "1", "1"},
      {"1.0015", "1.002", "1.002", "1.001"},
      {"-1.0005", "-1.001", "-1", "-1"},
      {"-1.0015", "-1.002", "-1.002", "-1.001"},
      {"0.1234567", "0.123", "0.123", "0.123"},
      {"0.9996", "1", "1", "0.999"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(D(c.value).Round(3, RoundingMode::kHalfUp), D(c.half_up));
    EXPECT_EQ(D(c.value).Round(3, RoundingMode::kHalfEven), D(c.half_even));
    EXPECT_EQ(D(c.value).Round(3, RoundingMode::kDown), D(c.down));
  }
}

TEST(DecimalRoundTest, EighteenDigitsIsTheIdentityAndRoundingIsIdempotent) {
  for (const char* text : {"0.000000000000000001", "-1.123456789012345678", "2.345"}) {
    SCOPED_TRACE(text);
    Decimal d = D(text);
    EXPECT_EQ(d.Round(18, RoundingMode::kHalfUp), d);
    EXPECT_EQ(d.Round(18, RoundingMode::kDown), d);
    for (int digits : {0, 2, 3, 17}) {
      for (RoundingMode mode :
           {RoundingMode::kHalfUp, RoundingMode::kHalfEven, RoundingMode::kDown}) {
        Decimal once = d.Round(digits, mode);
        EXPECT_TRUE(once.HasAtMostDigits(digits));
        EXPECT_EQ(once.Round(digits, mode), once);
      }
    }
  }
  EXPECT_EQ(kMax.Round(18, RoundingMode::kHalfUp), kMax);
  EXPECT_EQ(kMin.Round(0, RoundingMode::kDown), D("-170141183460469231731"));
}

TEST(DecimalDeathTest, RoundRejectsDigitsOutOfRange) {
  EXPECT_DEATH({ (void)D("1.5").Round(-1, RoundingMode::kHalfUp); }, "internal check failed");
  EXPECT_DEATH({ (void)D("1.5").Round(19, RoundingMode::kHalfUp); }, "internal check failed");
}

TEST(DecimalRoundTest, HasAtMostDigitsAndFractionDigits) {
  EXPECT_TRUE(D("1.50").HasAtMostDigits(1));
  EXPECT_FALSE(D("1.50").HasAtMostDigits(0));
  EXPECT_TRUE(D("-3").HasAtMostDigits(0));
  EXPECT_TRUE(Decimal().HasAtMostDigits(0));
  EXPECT_FALSE(D("0.000000000000000001").HasAtMostDigits(17));
  EXPECT_TRUE(D("0.000000000000000001").HasAtMostDigits(18));
  EXPECT_TRUE(D("-2.345").HasAtMostDigits(3));
  EXPECT_FALSE(D("-2.345").HasAtMostDigits(2));
  EXPECT_TRUE(D("0.001").HasAtMostDigits(25));

  EXPECT_EQ(D("1.50").FractionDigits(), 1);
  EXPECT_EQ(D("3").FractionDigits(), 0);
  EXPECT_EQ(D("-0.000000000000000001").FractionDigits(), 18);
  EXPECT_EQ(D("4.0E-7").FractionDigits(), 7);
  EXPECT_EQ(D("-123.456").FractionDigits(), 3);
  EXPECT_EQ(D("1e12").FractionDigits(), 0);
  EXPECT_EQ(Decimal().FractionDigits(), 0);
  EXPECT_EQ(kMin.FractionDigits(), 18);
}

// ---------------------------------------------------------------------------------------------
// SplitByWeights

std::vector<Decimal> Decimals(std::initializer_list<const char*> texts) {
  std::vector<Decimal> out;
  for (const char* text : texts) out.push_back(D(text));
  return out;
}

TEST(SplitByWeightsTest, LargestRemainderOnEqualWeights) {
  const std::vector<Decimal> weights = Decimals({"1", "1", "1"});
  ASSERT_OK_AND_ASSIGN(std::vector<Decimal> parts, SplitByWeights(D("1.00"), weights, 2));
  EXPECT_EQ(parts, Decimals({"0.34", "0.33", "0.33"}));
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(D("-1.00"), weights, 2));
  EXPECT_EQ(parts, Decimals({"-0.34", "-0.33", "-0.33"}));
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(D("0.02"), weights, 2));
  EXPECT_EQ(parts, Decimals({"0.01", "0.01", "0"}));
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(D("100"), weights, 0));  // JPY
  EXPECT_EQ(parts, Decimals({"34", "33", "33"}));
}

TEST(SplitByWeightsTest, LeftoverUnitsGoToTheLargestRemainders) {
  // Exact shares 0.333.. and 0.666..: the second has the larger remainder.
  ASSERT_OK_AND_ASSIGN(std::vector<Decimal> parts,
                       SplitByWeights(D("1.00"), Decimals({"1", "2"}), 2));
  EXPECT_EQ(parts, Decimals({"0.33", "0.67"}));
  // In cents: 14 2/7, 28 4/7, 57 1/7; the one cent left goes to the middle part.
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(D("1.00"), Decimals({"1", "2", "4"}), 2));
  EXPECT_EQ(parts, Decimals({"0.14", "0.29", "0.57"}));
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(D("-1.00"), Decimals({"1", "2", "4"}), 2));
  EXPECT_EQ(parts, Decimals({"-0.14", "-0.29", "-0.57"}));
  // In cents: 42 6/7, 14 2/7, 42 6/7; two cents are left and skip the middle part.
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(D("1.00"), Decimals({"3", "1", "3"}), 2));
  EXPECT_EQ(parts, Decimals({"0.43", "0.14", "0.43"}));
}

TEST(SplitByWeightsTest, ExactSharesAndZeroWeights) {
  ASSERT_OK_AND_ASSIGN(std::vector<Decimal> parts,
                       SplitByWeights(D("10"), Decimals({"0", "1", "0", "3"}), 2));
  EXPECT_EQ(parts, Decimals({"0", "2.5", "0", "7.5"}));
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(D("0"), Decimals({"1", "2"}), 2));
  EXPECT_EQ(parts, Decimals({"0", "0"}));
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(D("12.34"), Decimals({"0.5"}), 2));
  EXPECT_EQ(parts, Decimals({"12.34"}));
  // Weights with fractional digits; the default is the full scale.
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(D("1"), Decimals({"0.0000300172", "0.0000300172"})));
  EXPECT_EQ(parts, Decimals({"0.5", "0.5"}));
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(D("1"), Decimals({"1", "1", "1"})));
  EXPECT_EQ(parts,
            Decimals({"0.333333333333333334", "0.333333333333333333", "0.333333333333333333"}));
}

TEST(SplitByWeightsTest, SplitsTheExtremesOfTheRange) {
  ASSERT_OK_AND_ASSIGN(std::vector<Decimal> parts, SplitByWeights(kMin, Decimals({"1"}), 18));
  EXPECT_EQ(parts, std::vector<Decimal>({kMin}));
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(kMax, Decimals({"1", "1"}), 18));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0] + parts[1], kMax);
  ASSERT_OK_AND_ASSIGN(parts, SplitByWeights(D("1"), std::vector<Decimal>({kMax, kMax}), 18));
  EXPECT_EQ(parts, Decimals({"0.5", "0.5"}));
}

TEST(SplitByWeightsTest, RejectsBadArguments) {
  EXPECT_STATUS(SplitByWeights(D("1"), Decimals({"0", "0"}), 2), StatusCode::kInvalidInput,
                "sum to zero");
  EXPECT_STATUS(SplitByWeights(D("1"), Decimals({"1", "-1", "2"}), 2), StatusCode::kInvalidInput,
                "-1 is negative");
  EXPECT_STATUS(SplitByWeights(D("1.005"), Decimals({"1", "1"}), 2), StatusCode::kInvalidInput,
                "1.005");
  EXPECT_STATUS(SplitByWeights(D("0.5"), Decimals({"1", "1"}), 0), StatusCode::kInvalidInput,
                "more than 0 fractional digits");
  EXPECT_STATUS(SplitByWeights(D("1"), std::vector<Decimal>(), 2), StatusCode::kInvalidInput,
                "no weights");
  EXPECT_STATUS(SplitByWeights(D("1"), Decimals({"1"}), 19), StatusCode::kInvalidInput,
                "out of range");
  EXPECT_STATUS(SplitByWeights(D("1"), Decimals({"1"}), -1), StatusCode::kInvalidInput,
                "out of range");
  EXPECT_STATUS(SplitByWeights(D("1"), std::vector<Decimal>({kMax, kMax, kMax}), 2),
                StatusCode::kInvalidInput, "overflow");
}

// A random raw value in [0, bound).
Rep RandomBelow(std::mt19937_64& rng, Rep bound) {
  __extension__ typedef unsigned __int128 U128;
  const U128 wide = (static_cast<U128>(rng()) << 64) | static_cast<U128>(rng());
  return static_cast<Rep>(wide % static_cast<U128>(bound));
}

class SplitByWeightsPropertyTest : public ::testing::TestWithParam<int> {};

TEST_P(SplitByWeightsPropertyTest, PartsSumToTheTotalAndFollowTheWeights) {
  const int digits = GetParam();
  const Rep unit = Pow10(Decimal::kScale - digits);
  std::mt19937_64 rng(20231101u + static_cast<unsigned>(digits));
  for (int iteration = 0; iteration < 2000; ++iteration) {
    // Totals: a few units (remainders matter most), or up to 10^12 in money.
    Rep units = 0;
    switch (rng() % 3) {
      case 0:
        units = RandomBelow(rng, 50);
        break;
      case 1:
        units = RandomBelow(rng, Pow10(6));
        break;
      default:
        units = RandomBelow(rng, Pow10(12) * Decimal::kOne / unit);
        break;
    }
    Decimal total = Decimal::FromRaw((rng() % 2 == 0 ? 1 : -1) * units * unit);

    const size_t count = 1 + rng() % 12;
    std::vector<Decimal> weights;
    Rep weight_sum = 0;
    const bool equal = rng() % 5 == 0;
    const Rep equal_weight = 1 + RandomBelow(rng, Pow10(20));
    for (size_t i = 0; i < count; ++i) {
      Rep w = 0;
      if (equal) {
        w = equal_weight;
      } else if (rng() % 6 != 0) {
        // Whole numbers and tiny rates alike.
        w = RandomBelow(rng, Pow10(12)) * Pow10(static_cast<int>(rng() % 19));
      }
      weights.push_back(Decimal::FromRaw(w));
      weight_sum += w;
    }
    if (weight_sum == 0) {
      weights.back() = D("1");
      weight_sum = D("1").raw();
    }
    const Decimal sum = Decimal::FromRaw(weight_sum);

    SCOPED_TRACE(::testing::Message() << "iteration " << iteration << " total " << total.ToString()
                                      << " parts " << count);
    ASSERT_OK_AND_ASSIGN(std::vector<Decimal> parts, SplitByWeights(total, weights, digits));
    ASSERT_EQ(parts.size(), weights.size());

    Decimal added;
    for (size_t i = 0; i < parts.size(); ++i) {
      added += parts[i];
      EXPECT_TRUE(parts[i].HasAtMostDigits(digits)) << parts[i].ToString();
      EXPECT_TRUE(parts[i].IsZero() || parts[i].Sign() == total.Sign());
      if (weights[i].IsZero()) {
        EXPECT_TRUE(parts[i].IsZero());
      }
      // Within one unit of the exact share: |part| is the share truncated or one unit more.
      ASSERT_OK_AND_ASSIGN(Decimal share,
                           Decimal::MulDiv(total, weights[i], sum, RoundingMode::kDown));
      const Rep floor = share.Round(digits, RoundingMode::kDown).raw();
      const Rep magnitude = parts[i].raw() < 0 ? -parts[i].raw() : parts[i].raw();
      const Rep floor_magnitude = floor < 0 ? -floor : floor;
      EXPECT_TRUE(magnitude == floor_magnitude || magnitude == floor_magnitude + unit)
          << "part " << i << " = " << parts[i].ToString() << ", exact share " << share.ToString();
    }
    EXPECT_EQ(added, total);

    // Proportional in order: a larger weight never gets less; equal weights differ by at most
    // one unit and the earlier part gets the extra unit.
    for (size_t i = 0; i < parts.size(); ++i) {
      for (size_t j = 0; j < parts.size(); ++j) {
        const Rep pi = parts[i].Abs().raw();
        const Rep pj = parts[j].Abs().raw();
        if (weights[i] < weights[j]) {
          EXPECT_LE(pi, pj) << i << " vs " << j;
        } else if (weights[i] == weights[j] && i < j) {
          EXPECT_TRUE(pi == pj || pi == pj + unit) << i << " vs " << j;
        }
      }
    }
    if (HasFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Digits, SplitByWeightsPropertyTest, ::testing::Values(2, 18),
                         [](const ::testing::TestParamInfo<int>& param) {
                           return "Digits" + std::to_string(param.param);
                         });

// ---------------------------------------------------------------------------------------------
// Rounding modes by name

TEST(RoundingModeTest, ParsesAndNamesEveryMode) {
  for (RoundingMode mode : {RoundingMode::kHalfUp, RoundingMode::kHalfEven, RoundingMode::kDown}) {
    ASSERT_OK_AND_ASSIGN(RoundingMode parsed, ParseRoundingMode(RoundingModeName(mode)));
    EXPECT_EQ(parsed, mode);
  }
  EXPECT_EQ(RoundingModeName(RoundingMode::kHalfUp), "half-up");
  EXPECT_EQ(RoundingModeName(RoundingMode::kHalfEven), "half-even");
  EXPECT_EQ(RoundingModeName(RoundingMode::kDown), "down");
}

TEST(RoundingModeTest, RejectsUnknownNamesQuotingThem) {
  for (const char* text : {"HALF-UP", "half_up", "halfeven", "up", "", " down"}) {
    SCOPED_TRACE(text);
    EXPECT_STATUS(ParseRoundingMode(text), StatusCode::kInvalidInput,
                  "unknown rounding mode '" + std::string(text) + "'");
  }
}

}  // namespace
}  // namespace rebill
