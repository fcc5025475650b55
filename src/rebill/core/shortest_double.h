// The shortest decimal that reads back to a binary double: the digits std::to_chars writes,
// found without writing text, for the doubles billing files hold.
#pragma once

#include <cstdint>

namespace rebill {

/// When |value| lies in [1e-8, 1e15) and its shortest round-trip decimal has at most 15
/// significant digits: sets |value| = *digits × 10^-*scale exactly as to_chars' shortest text
/// reads (*digits without trailing zeros; *scale may be negative) and returns true. False for
/// every other value (zero, NaN and infinities included), whose digits only to_chars finds.
bool ShortestDecimalDigits(double value, uint64_t* digits, int* scale);

}  // namespace rebill
