// Decimal: an exact fixed-point number for money, quantities and rates (docs/money.md).
//
// The coefficient is a signed 128-bit integer at a fixed scale of 18 fractional digits, so every
// value AWS writes (`0.0000300172`, `4.0E-7`, FOCUS's 15 fractional digits) parses exactly, and
// totals up to about 1.7 * 10^20 fit. Arithmetic is checked: overflow is an error or a failed
// check, never a wrap. There is no conversion from or to binary floating point.
//
//   REBILL_ASSIGN_OR_RETURN(Decimal cost, Decimal::Parse("-1.3E-9"));
//   Decimal cents = cost.Round(2, RoundingMode::kHalfUp);
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/core/result.h"

namespace rebill {

enum class RoundingMode {
  kHalfUp,    // ties away from zero (the default for statements)
  kHalfEven,  // ties to the even neighbour (banker's rounding)
  kDown,      // towards zero
};

/// Parse "half-up" / "half-even" / "down".
Result<RoundingMode> ParseRoundingMode(std::string_view text);
std::string_view RoundingModeName(RoundingMode mode);

class Decimal {
 public:
  __extension__ typedef __int128 Rep;  // GCC and Clang both provide it
  static constexpr int kScale = 18;

  constexpr Decimal() = default;

  /// The value raw * 10^-18.
  static constexpr Decimal FromRaw(Rep raw) {
    Decimal d;
    d.raw_ = raw;
    return d;
  }
  /// An integer value; always fits.
  static constexpr Decimal FromInt(int64_t value) {
    return FromRaw(static_cast<Rep>(value) * kOne);
  }

  /// unscaled × 10^-scale exactly ((12345, 2) is 123.45, (5, -3) is 5000); false when scale
  /// exceeds 18 or the value does not fit.
  static bool TryFromScaled(int64_t unscaled, int scale, Decimal* out);
  /// Parse plain or scientific decimal text exactly ("12", "-0.50", "4.0E-7", "+1e3").
  /// Fails with kInvalidInput on empty text, a non-numeric character, more than 18 significant
  /// fractional digits, or a value that does not fit. `fraction_digits`, when given, receives the
  /// number of fractional digits the text was written with ("4.0E-7" -> 8, "1.50" -> 2).
  static Result<Decimal> Parse(std::string_view text, int* fraction_digits = nullptr);
  /// Parse, without building an error: false for text Parse fails on. For the hot loops of
  /// ingest, which ask Parse for the message only when this fails.
  static bool TryParse(std::string_view text, Decimal* out, int* fraction_digits = nullptr);
  /// Like Parse, but empty text is null rather than an error (CUR's convention).
  static Result<std::optional<Decimal>> ParseNullable(std::string_view text,
                                                      int* fraction_digits = nullptr);

  constexpr Rep raw() const { return raw_; }
  constexpr bool IsZero() const { return raw_ == 0; }
  constexpr int Sign() const { return raw_ > 0 ? 1 : (raw_ < 0 ? -1 : 0); }
  Decimal Abs() const;

  /// Checked arithmetic: false (and *this unchanged) on overflow.
  [[nodiscard]] bool TryAdd(Decimal other);
  [[nodiscard]] bool TrySub(Decimal other);
  static Result<Decimal> Add(Decimal a, Decimal b);
  static Result<Decimal> Sub(Decimal a, Decimal b);

  /// a * b rounded to the scale with `mode`.
  static Result<Decimal> Mul(Decimal a, Decimal b, RoundingMode mode = RoundingMode::kHalfEven);
  /// a * b / c computed with a 256-bit intermediate, rounded once with `mode`.
  static Result<Decimal> MulDiv(Decimal a, Decimal b, Decimal c,
                                RoundingMode mode = RoundingMode::kHalfEven);
  /// a / b rounded with `mode`.
  static Result<Decimal> Div(Decimal a, Decimal b, RoundingMode mode = RoundingMode::kHalfEven);

  /// Round to `digits` fractional digits (0..18). Cannot overflow for values from Parse.
  Decimal Round(int digits, RoundingMode mode) const;
  /// True if the value has no non-zero digit beyond `digits` fractional digits.
  bool HasAtMostDigits(int digits) const;
  /// Number of fractional digits needed to print the value exactly (0..18).
  int FractionDigits() const;

  /// Exact text: all significant fractional digits, but at least `min_fraction_digits`
  /// ("1.5" with 2 -> "1.50"); never an exponent.
  std::string ToString(int min_fraction_digits = 0) const;

  // Operators fail a REBILL_CHECK on overflow; use them where the operands are bounded (totals
  // of parsed values well under 10^20). Ingest of untrusted data uses TryAdd.
  Decimal operator-() const;
  Decimal operator+(Decimal other) const;
  Decimal operator-(Decimal other) const;
  Decimal& operator+=(Decimal other);
  Decimal& operator-=(Decimal other);

  friend constexpr auto operator<=>(const Decimal&, const Decimal&) = default;
  friend constexpr bool operator==(const Decimal&, const Decimal&) = default;

  static constexpr Rep kOne = static_cast<Rep>(1'000'000'000'000'000'000LL);

 private:
  Rep raw_ = 0;
};

/// Split `total` into parts proportional to `weights` so that the parts sum exactly to `total`:
/// each part is the exact share truncated to `digits` fractional digits, and the units left over
/// go one each to the parts with the largest remainders (ties: the earlier part). `total` must
/// have at most `digits` fractional digits; weights must be non-negative with a positive sum.
Result<std::vector<Decimal>> SplitByWeights(Decimal total, std::span<const Decimal> weights,
                                            int digits = Decimal::kScale);

/// A checked running sum; reports the first overflow instead of wrapping.
class DecimalSum {
 public:
  /// Add a term; false once the sum has overflowed (the sum then stays invalid).
  bool Add(Decimal term) {
    if (overflow_) return false;
    if (!sum_.TryAdd(term)) overflow_ = true;
    return !overflow_;
  }
  bool overflow() const { return overflow_; }
  Decimal value() const { return sum_; }

 private:
  Decimal sum_;
  bool overflow_ = false;
};

}  // namespace rebill
