// Doubles as billing files hold them, for tests of the paths that turn doubles into decimals.
#pragma once

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

namespace rebill::testing {

/// Mostly a writer's double of a decimal of 1 to 17 significant digits at the scales of billing
/// amounts (1e-14 to 1e17), and one time in eight an arbitrary bit pattern (NaNs, infinities
/// and subnormals included). Sets *significant to the decimal's digit count (0 for a bit
/// pattern).
inline double RandomBillingDouble(std::mt19937_64& random, int* significant) {
  if (random() % 8 == 7) {
    *significant = 0;
    return std::bit_cast<double>(random());
  }
  *significant = 1 + static_cast<int>(random() % 17);
  uint64_t mantissa = random() % 100000000000000000ULL;
  for (int d = *significant; d < 17; ++d) mantissa /= 10;
  int exponent = -14 + static_cast<int>(random() % 32);
  std::string text = std::to_string(mantissa) + "e" + std::to_string(exponent);
  double v = std::strtod(text.c_str(), nullptr);
  return random() % 2 == 0 ? v : -v;
}

}  // namespace rebill::testing
