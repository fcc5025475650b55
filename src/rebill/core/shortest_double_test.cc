#include "rebill/core/shortest_double.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <random>
#include <string>

#include "testing/random_doubles.h"

namespace rebill {
namespace {

// Whenever ShortestDecimalDigits answers, its digits and scale must be those of the text
// std::to_chars writes; and it must answer for the amounts billing files hold.
TEST(ShortestDecimalDigitsTest, AgreesWithToChars) {
  auto check = [&](double v, bool must_answer = false) {
    uint64_t digits = 0;
    int scale = 0;
    if (!ShortestDecimalDigits(v, &digits, &scale)) {
      ASSERT_FALSE(must_answer) << std::hexfloat << v << " " << std::defaultfloat << v;
      return;
    }
    char buf[32];
    std::string text(buf, std::to_chars(buf, buf + sizeof buf, std::fabs(v)).ptr);
    // to_chars' digits without the point, its exponent, and so the scale they stand for.
    std::string mantissa = text.substr(0, text.find('e'));
    int exponent =
        text.find('e') == std::string::npos ? 0 : std::stoi(text.substr(text.find('e') + 1));
    size_t point = mantissa.find('.');
    int fraction = point == std::string::npos ? 0 : static_cast<int>(mantissa.size() - point - 1);
    if (point != std::string::npos) mantissa.erase(point, 1);
    int want_scale = fraction - exponent;
    while (mantissa.size() > 1 && mantissa.back() == '0') {  // "1000" is 1 at scale -3
      mantissa.pop_back();
      --want_scale;
    }
    ASSERT_EQ(digits, std::stoull(mantissa)) << text;
    ASSERT_EQ(scale, want_scale) << text;
  };
  for (double v : {1.0, 0.1, 0.25, 1e-8, 1e14, 999999999999999.0, 123456789012345.0, 0.0001,
                   6.51878e-05, 2734.0, 0.30000000000000004, 0.0, -0.0, 1e15, 9.999999999999999e-9,
                   std::nan(""), HUGE_VAL, 5e-324}) {
    check(v);
    check(-v);
    check(std::nextafter(v, 0.0));
    check(std::nextafter(v, 1e300));
  }
  std::mt19937_64 random(20261124);
  for (int i = 0; i < 1000000; ++i) {
    int significant = 0;
    double v = testing::RandomBillingDouble(random, &significant);
    // Every value of up to 15 digits in range is answered without to_chars.
    double magnitude = std::fabs(v);
    check(v, significant > 0 && significant <= 15 && magnitude >= 1e-8 && magnitude < 1e15);
    check(std::nextafter(v, 0.0));
  }
}

TEST(ShortestDecimalDigitsTest, ExamplesFromBillingFiles) {
  uint64_t digits = 0;
  int scale = 0;
  ASSERT_TRUE(ShortestDecimalDigits(0.0285345096, &digits, &scale));
  EXPECT_EQ(digits, 285345096u);
  EXPECT_EQ(scale, 10);
  ASSERT_TRUE(ShortestDecimalDigits(-6.51878e-05, &digits, &scale));
  EXPECT_EQ(digits, 651878u);
  EXPECT_EQ(scale, 10);
  ASSERT_TRUE(ShortestDecimalDigits(2734.0, &digits, &scale));
  EXPECT_EQ(digits, 2734u);
  EXPECT_EQ(scale, 0);
  ASSERT_TRUE(ShortestDecimalDigits(1e14, &digits, &scale));
  EXPECT_EQ(digits, 1u);
  EXPECT_EQ(scale, -14);
  // 17 significant digits: to_chars' business.
  EXPECT_FALSE(ShortestDecimalDigits(0.30000000000000004, &digits, &scale));
  EXPECT_FALSE(ShortestDecimalDigits(0.0, &digits, &scale));
}

}  // namespace
}  // namespace rebill
