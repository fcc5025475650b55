#include "rebill/core/shortest_double.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace rebill {

// Why this is exact: with x·10^k at most 10^15, the interval of reals that round to x spans less
// than 0.23 at scale 10^k, so at most one integer n lies in it, and rounding the product (one
// rounding error) finds it. n/10^k is correctly rounded, so comparing it with x is the
// round-trip test. Any shorter text that reads back to x is also an integer at scale 10^k,
// hence n with trailing zeros, so n without its trailing zeros is the shortest.
bool ShortestDecimalDigits(double value, uint64_t* digits, int* scale) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  constexpr double kLow = 99999999999999.97, kHigh = 1e15;
  double x = std::fabs(value);
  if (!(x >= 1e-8 && x < 1e15)) return false;  // NaN and zero too
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  int binary_exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  // floor(log10(2^e)), within one of floor(log10(x)); the loop below corrects it.
  int decimal_exponent = (binary_exponent * 1233) >> 12;
  // The range of x puts k in [0, 22], where 10^k is exact.
  int k = std::clamp(14 - decimal_exponent, 0, 22);
  double scaled = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (k < 0 || k > 22) return false;
    scaled = x * kPow10[k];
    // The bounds admit the rounding of a product whose exact value lies in [1e14, 1e15).
    if (scaled > kHigh) {
      --k;
    } else if (scaled < kLow) {
      ++k;
    } else {
      break;
    }
  }
  if (!(scaled >= kLow && scaled <= kHigh)) return false;
  // Rounds half away from zero as llround would, without its call: at most 1e15, scaled + 0.5
  // is exact (the doubles there are 1/8 apart).
  auto n = static_cast<uint64_t>(scaled + 0.5);
  if (static_cast<double>(n) / kPow10[k] != x) return false;
  // n has at least one nonzero digit among its 15; its trailing zeros go in halving steps.
  for (auto [power, zeros] :
       {std::pair<uint64_t, int>{100000000, 8}, {10000, 4}, {100, 2}, {10, 1}}) {
    if (n % power == 0) {
      n /= power;
      k -= zeros;
    }
  }
  *digits = n;
  *scale = k;
  return true;
}

}  // namespace rebill
