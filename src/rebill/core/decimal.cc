#include "rebill/core/decimal.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>

namespace rebill {
namespace {

__extension__ typedef unsigned __int128 U128;
using Rep = Decimal::Rep;

constexpr Rep kRepMax = static_cast<Rep>(~static_cast<U128>(0) >> 1);
constexpr Rep kRepMin = -kRepMax - 1;

// 10^0 to 10^38, the powers a Rep can hold: a lookup, not a loop of 128-bit products.
constexpr std::array<U128, 39> kPowersOf10 = [] {
  std::array<U128, 39> powers{};
  U128 p = 1;
  for (U128& power : powers) {
    power = p;
    p *= 10;
  }
  return powers;
}();

constexpr U128 Pow10(int n) { return kPowersOf10[static_cast<size_t>(n)]; }

// Magnitude of a Rep as unsigned, valid for kRepMin too.
U128 Magnitude(Rep v) { return v < 0 ? static_cast<U128>(0) - static_cast<U128>(v) : v; }

// An unsigned 256-bit integer, just enough for products of two 128-bit coefficients.
struct U256 {
  U128 hi = 0;
  U128 lo = 0;
};

U256 Multiply(U128 a, U128 b) {
  const U128 mask = (static_cast<U128>(1) << 64) - 1;
  U128 a0 = a & mask, a1 = a >> 64, b0 = b & mask, b1 = b >> 64;
  U128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  U128 middle = (p00 >> 64) + (p01 & mask) + (p10 & mask);
  U256 r;
  r.lo = (middle << 64) | (p00 & mask);
  r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64);
  return r;
}

// n / d with d != 0. Returns false if the quotient does not fit in 128 bits.
bool DivideWithRemainder(U256 n, U128 d, U128* quotient, U128* remainder) {
  if (n.hi >= d) return false;  // quotient would need more than 128 bits
  if ((d >> 64) == 0) {
    // The usual divisors (10^18, a percent's 100) fit in 64 bits: long division by 64-bit
    // limbs, each step a 128-by-64 division the hardware does, instead of 128 bit steps.
    const U128 mask = (static_cast<U128>(1) << 64) - 1;
    U128 limbs[4] = {n.hi >> 64, n.hi & mask, n.lo >> 64, n.lo & mask};
    U128 rem = 0;
    U128 q = 0;
    for (U128 limb : limbs) {
      U128 part = (rem << 64) | limb;  // rem < d < 2^64, so this fits
      q = (q << 64) | (part / d);
      rem = part % d;
    }
    *quotient = q;
    *remainder = rem;
    return true;
  }
  U128 rem = n.hi;
  U128 q = 0;
  for (int bit = 127; bit >= 0; --bit) {
    bool carry = (rem >> 127) != 0;
    rem = (rem << 1) | ((n.lo >> bit) & 1);
    q <<= 1;
    if (carry || rem >= d) {
      rem -= d;
      q |= 1;
    }
  }
  *quotient = q;
  *remainder = rem;
  return true;
}

// Round the positive quotient q (with remainder r of divisor d) according to mode.
bool RoundUp(U128 q, U128 r, U128 d, RoundingMode mode) {
  if (r == 0 || mode == RoundingMode::kDown) return false;
  // Compare 2r with d without overflow: r >= d - r.
  U128 other = d - r;
  if (r > other) return true;
  if (r < other) return false;
  return mode == RoundingMode::kHalfUp || (q & 1) != 0;
}

// Signed result of magnitude / divisor with rounding; negative if `negative`.
Result<Decimal> FinishDivision(U256 magnitude, U128 divisor, bool negative, RoundingMode mode) {
  U128 q = 0, r = 0;
  if (!DivideWithRemainder(magnitude, divisor, &q, &r)) {
    return InvalidInput("decimal overflow: result does not fit");
  }
  if (RoundUp(q, r, divisor, mode)) ++q;
  U128 limit = negative ? static_cast<U128>(kRepMax) + 1 : static_cast<U128>(kRepMax);
  if (q > limit) return InvalidInput("decimal overflow: result does not fit");
  Rep v = negative ? static_cast<Rep>(static_cast<U128>(0) - q) : static_cast<Rep>(q);
  return Decimal::FromRaw(v);
}

// Eight ASCII digits, the first in the lowest byte, as their number; `chunk` must hold only
// digits (AllDigits).
uint64_t EightDigits(uint64_t chunk) {
  chunk = (chunk & 0x0F0F0F0F0F0F0F0FULL) * 2561 >> 8;
  chunk = (chunk & 0x00FF00FF00FF00FFULL) * 6553601 >> 16;
  return (chunk & 0x0000FFFF0000FFFFULL) * 42949672960001ULL >> 32;
}

bool AllDigits(uint64_t chunk) {
  // Each byte 0x30..0x39: its high nibble is 3, and adding 6 keeps it 3.
  return ((chunk & 0xF0F0F0F0F0F0F0F0ULL) |
          (((chunk + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) ==
         0x3333333333333333ULL;
}

// Plain text of at most 19 digits and 18 fractional digits ("-0.0000300172", "22.32", "744"),
// which is nearly every value of a billing file, read eight digits at a time. False for
// anything else (exponents, more digits, bad text), which the general parser then reads or
// explains.
bool ParsePlain(std::string_view text, Rep* raw, int* fraction_digits) {
  const char* p = text.data();
  const char* end = p + text.size();
  bool negative = false;
  if (p < end && (*p == '-' || *p == '+')) {
    negative = *p == '-';
    ++p;
  }
  uint64_t value = 0;
  int digits = 0;
  int fraction = -1;  // digits after the point; -1 before it
  while (p < end) {
    if (end - p >= 8) {
      uint64_t chunk;
      std::memcpy(&chunk, p, 8);
      if (AllDigits(chunk)) {
        if (digits + 8 > 19) return false;
        value = value * 100000000 + EightDigits(chunk);
        digits += 8;
        if (fraction >= 0) fraction += 8;
        p += 8;
        continue;
      }
    }
    char c = *p++;
    if (c >= '0' && c <= '9') {
      if (++digits > 19) return false;
      value = value * 10 + static_cast<uint64_t>(c - '0');
      if (fraction >= 0) ++fraction;
    } else if (c == '.' && fraction < 0) {
      fraction = 0;
    } else {
      return false;
    }
  }
  if (digits == 0 || fraction > Decimal::kScale) return false;
  if (fraction < 0) fraction = 0;
  static constexpr uint64_t kPowers[] = {1,
                                         10,
                                         100,
                                         1000,
                                         10000,
                                         100000,
                                         1000000,
                                         10000000,
                                         100000000,
                                         1000000000,
                                         10000000000,
                                         100000000000,
                                         1000000000000,
                                         10000000000000,
                                         100000000000000,
                                         1000000000000000,
                                         10000000000000000,
                                         100000000000000000,
                                         1000000000000000000};
  // At most 10^19 * 10^18, well inside the representation.
  U128 magnitude = static_cast<U128>(value) * kPowers[Decimal::kScale - fraction];
  *raw = negative ? -static_cast<Rep>(magnitude) : static_cast<Rep>(magnitude);
  if (fraction_digits != nullptr) *fraction_digits = fraction;
  return true;
}

}  // namespace

Result<RoundingMode> ParseRoundingMode(std::string_view text) {
  if (text == "half-up") return RoundingMode::kHalfUp;
  if (text == "half-even") return RoundingMode::kHalfEven;
  if (text == "down") return RoundingMode::kDown;
  return InvalidInput("unknown rounding mode '" + std::string(text) +
                      "' (use half-up, half-even or down)");
}

std::string_view RoundingModeName(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::kHalfUp:
      return "half-up";
    case RoundingMode::kHalfEven:
      return "half-even";
    case RoundingMode::kDown:
      return "down";
  }
  return "half-up";
}

namespace {

// Any text Parse reads that ParsePlain does not: exponents, more digits, and every failure.
Result<Decimal> ParseGeneral(std::string_view text, int* fraction_digits) {
  auto fail = [&](std::string_view why) {
    return InvalidInput("'" + std::string(text.substr(0, 64)) + "' is not a decimal number (" +
                        std::string(why) + ")");
  };
  if (text.empty()) return fail("empty");
  size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') {
    negative = text[i] == '-';
    ++i;
  }
  // Mantissa: integer digits, optional point, fractional digits.
  size_t int_begin = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  std::string_view int_digits = text.substr(int_begin, i - int_begin);
  std::string_view frac_digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    size_t frac_begin = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    frac_digits = text.substr(frac_begin, i - frac_begin);
  }
  // Spaces are refused rather than trimmed (no billing export writes them), and said to be
  // what is wrong: a file saved again by a spreadsheet may pad its numbers.
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  if (int_digits.empty() && frac_digits.empty()) {
    return fail(i < text.size() && is_space(text[i]) ? "a space before the number" : "no digits");
  }
  int exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    size_t exp_begin = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (exponent > 1000) return fail("exponent out of range");
      exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (i == exp_begin) return fail("exponent without digits");
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) {
    if (!is_space(text[i])) return fail("unexpected character");
    bool trailing =
        std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i), text.end(), is_space);
    return fail(trailing ? "a space after the number" : "a space inside the number");
  }

  // Significant digits without leading zeros of the integer part or trailing zeros of the
  // fraction; `scale` counts the fractional digits of that digit string after the exponent.
  size_t lead = int_digits.find_first_not_of('0');
  int_digits = lead == std::string_view::npos ? std::string_view() : int_digits.substr(lead);
  if (fraction_digits != nullptr) {
    *fraction_digits = std::max(0, static_cast<int>(frac_digits.size()) - exponent);
  }
  size_t trail = frac_digits.find_last_not_of('0');
  frac_digits =
      trail == std::string_view::npos ? std::string_view() : frac_digits.substr(0, trail + 1);
  int scale = static_cast<int>(frac_digits.size()) - exponent;
  // Trailing zeros of digits that an exponent moves behind the point ("5000E-21") add no
  // precision either.
  if (scale > Decimal::kScale && frac_digits.empty()) {
    size_t last = int_digits.find_last_not_of('0');
    size_t zeros =
        last == std::string_view::npos ? int_digits.size() : int_digits.size() - 1 - last;
    size_t drop = std::min(zeros, static_cast<size_t>(scale - Decimal::kScale));
    int_digits.remove_suffix(drop);
    scale -= static_cast<int>(drop);
  }

  // Every value of a billing file is parsed here, so the digits are gathered without a division:
  // 64-bit while they fit, then 128-bit with overflow checked by the multiplication itself.
  U128 coefficient = 0;
  uint64_t small = 0;
  int small_digits = 0;  // digits in `small` (leading zeros of the fraction not counted)
  bool too_many_digits = false;
  auto push = [&](char c) {
    auto digit = static_cast<unsigned>(c - '0');
    if (small_digits < 19) {
      if (small == 0 && digit == 0) return;  // leading zeros of the fraction
      small = small * 10 + digit;
      ++small_digits;
      if (small_digits == 19) coefficient = small;
      return;
    }
    U128 times_ten;
    if (__builtin_mul_overflow(coefficient, static_cast<U128>(10), &times_ten) ||
        __builtin_add_overflow(times_ten, static_cast<U128>(digit), &coefficient)) {
      too_many_digits = true;
    }
  };
  for (char c : int_digits) push(c);
  for (char c : frac_digits) push(c);
  if (too_many_digits) return fail("too many digits");
  if (small_digits < 19) coefficient = small;
  if (coefficient == 0) return Decimal();
  if (scale > Decimal::kScale) return fail("more than 18 fractional digits");
  int shift = Decimal::kScale - scale;  // >= 0
  if (shift > 38) return fail("out of range");
  U128 limit = negative ? static_cast<U128>(kRepMax) + 1 : static_cast<U128>(kRepMax);
  U128 magnitude;
  if (__builtin_mul_overflow(coefficient, Pow10(shift), &magnitude) || magnitude > limit) {
    return fail("out of range");
  }
  Rep v =
      negative ? static_cast<Rep>(static_cast<U128>(0) - magnitude) : static_cast<Rep>(magnitude);
  return Decimal::FromRaw(v);
}

}  // namespace

Result<Decimal> Decimal::Parse(std::string_view text, int* fraction_digits) {
  if (Rep raw; ParsePlain(text, &raw, fraction_digits)) return FromRaw(raw);
  return ParseGeneral(text, fraction_digits);
}

bool Decimal::TryFromScaled(int64_t unscaled, int scale, Decimal* out) {
  if (scale > kScale || kScale - scale > 38) return false;
  Rep raw;
  if (__builtin_mul_overflow(static_cast<Rep>(unscaled), static_cast<Rep>(Pow10(kScale - scale)),
                             &raw) ||
      raw == kRepMin) {
    return false;
  }
  *out = FromRaw(raw);
  return true;
}

bool Decimal::TryParse(std::string_view text, Decimal* out, int* fraction_digits) {
  if (Rep raw; ParsePlain(text, &raw, fraction_digits)) {
    *out = FromRaw(raw);
    return true;
  }
  Result<Decimal> parsed = ParseGeneral(text, fraction_digits);
  if (!parsed.ok()) return false;
  *out = *parsed;
  return true;
}

Result<std::optional<Decimal>> Decimal::ParseNullable(std::string_view text, int* fraction_digits) {
  if (text.empty()) {
    if (fraction_digits != nullptr) *fraction_digits = 0;
    return std::optional<Decimal>();
  }
  REBILL_ASSIGN_OR_RETURN(Decimal d, Parse(text, fraction_digits));
  return std::optional<Decimal>(d);
}

Decimal Decimal::Abs() const {
  REBILL_CHECK_MSG(raw_ != kRepMin, "decimal overflow");
  return FromRaw(raw_ < 0 ? -raw_ : raw_);
}

bool Decimal::TryAdd(Decimal other) {
  Rep out;
  if (__builtin_add_overflow(raw_, other.raw_, &out)) return false;
  raw_ = out;
  return true;
}

bool Decimal::TrySub(Decimal other) {
  Rep out;
  if (__builtin_sub_overflow(raw_, other.raw_, &out)) return false;
  raw_ = out;
  return true;
}

Result<Decimal> Decimal::Add(Decimal a, Decimal b) {
  if (!a.TryAdd(b)) return InvalidInput("decimal overflow in addition");
  return a;
}

Result<Decimal> Decimal::Sub(Decimal a, Decimal b) {
  if (!a.TrySub(b)) return InvalidInput("decimal overflow in subtraction");
  return a;
}

Result<Decimal> Decimal::Mul(Decimal a, Decimal b, RoundingMode mode) {
  bool negative = (a.raw_ < 0) != (b.raw_ < 0);
  U256 product = Multiply(Magnitude(a.raw_), Magnitude(b.raw_));
  return FinishDivision(product, static_cast<U128>(kOne), negative && a.raw_ != 0 && b.raw_ != 0,
                        mode);
}

Result<Decimal> Decimal::MulDiv(Decimal a, Decimal b, Decimal c, RoundingMode mode) {
  if (c.raw_ == 0) return InvalidInput("division by zero");
  U256 product = Multiply(Magnitude(a.raw_), Magnitude(b.raw_));
  bool zero = a.raw_ == 0 || b.raw_ == 0;
  bool negative = !zero && (((a.raw_ < 0) != (b.raw_ < 0)) != (c.raw_ < 0));
  return FinishDivision(product, Magnitude(c.raw_), negative, mode);
}

Result<Decimal> Decimal::Div(Decimal a, Decimal b, RoundingMode mode) {
  return MulDiv(a, FromRaw(kOne), b, mode);
}

Decimal Decimal::Round(int digits, RoundingMode mode) const {
  REBILL_CHECK(digits >= 0 && digits <= kScale);
  if (digits == kScale) return *this;
  U128 unit = Pow10(kScale - digits);
  U128 mag = Magnitude(raw_);
  U128 q = mag / unit, r = mag % unit;
  if (RoundUp(q, r, unit, mode)) ++q;
  U128 rounded = q * unit;
  REBILL_CHECK_MSG(rounded / unit == q && rounded <= static_cast<U128>(kRepMax),
                   "decimal overflow in rounding");
  Rep v = static_cast<Rep>(rounded);
  return FromRaw(raw_ < 0 ? -v : v);
}

bool Decimal::HasAtMostDigits(int digits) const {
  if (digits >= kScale) return true;
  return Magnitude(raw_) % Pow10(kScale - digits) == 0;
}

int Decimal::FractionDigits() const {
  U128 mag = Magnitude(raw_) % static_cast<U128>(kOne);
  if (mag == 0) return 0;
  int digits = kScale;
  while (mag % 10 == 0) {
    mag /= 10;
    --digits;
  }
  return digits;
}

std::string Decimal::ToString(int min_fraction_digits) const {
  U128 mag = Magnitude(raw_);
  U128 int_part = mag / static_cast<U128>(kOne);
  U128 frac_part = mag % static_cast<U128>(kOne);
  std::string int_text;
  do {
    int_text.push_back(static_cast<char>('0' + static_cast<int>(int_part % 10)));
    int_part /= 10;
  } while (int_part != 0);
  std::reverse(int_text.begin(), int_text.end());
  std::string frac_text(kScale, '0');
  for (int i = kScale - 1; i >= 0; --i) {
    frac_text[static_cast<size_t>(i)] = static_cast<char>('0' + static_cast<int>(frac_part % 10));
    frac_part /= 10;
  }
  int keep = std::max(FractionDigits(), std::clamp(min_fraction_digits, 0, kScale));
  frac_text.resize(static_cast<size_t>(keep));
  std::string out;
  if (raw_ < 0) out.push_back('-');
  out += int_text;
  if (!frac_text.empty()) {
    out.push_back('.');
    out += frac_text;
  }
  return out;
}

Decimal Decimal::operator-() const {
  REBILL_CHECK_MSG(raw_ != kRepMin, "decimal overflow");
  return FromRaw(-raw_);
}

Decimal Decimal::operator+(Decimal other) const {
  Decimal out = *this;
  REBILL_CHECK_MSG(out.TryAdd(other), "decimal overflow in addition");
  return out;
}

Decimal Decimal::operator-(Decimal other) const {
  Decimal out = *this;
  REBILL_CHECK_MSG(out.TrySub(other), "decimal overflow in subtraction");
  return out;
}

Decimal& Decimal::operator+=(Decimal other) {
  REBILL_CHECK_MSG(TryAdd(other), "decimal overflow in addition");
  return *this;
}

Decimal& Decimal::operator-=(Decimal other) {
  REBILL_CHECK_MSG(TrySub(other), "decimal overflow in subtraction");
  return *this;
}

Result<std::vector<Decimal>> SplitByWeights(Decimal total, std::span<const Decimal> weights,
                                            int digits) {
  if (digits < 0 || digits > Decimal::kScale) return InvalidInput("split digits out of range");
  if (weights.empty()) return InvalidInput("cannot split over no weights");
  if (!total.HasAtMostDigits(digits)) {
    return InvalidInput("split total " + total.ToString() + " has more than " +
                        std::to_string(digits) + " fractional digits");
  }
  U128 weight_sum = 0;
  for (Decimal w : weights) {
    if (w.Sign() < 0) return InvalidInput("split weight " + w.ToString() + " is negative");
    U128 next = weight_sum + static_cast<U128>(w.raw());
    if (next < weight_sum) return InvalidInput("split weights overflow");
    weight_sum = next;
  }
  if (weight_sum == 0) return InvalidInput("split weights sum to zero");
  U128 unit = Pow10(Decimal::kScale - digits);
  U128 units = Magnitude(total.raw()) / unit;  // whole units to hand out
  bool negative = total.Sign() < 0;

  std::vector<U128> quotient(weights.size());
  std::vector<U128> remainder(weights.size());
  U128 handed = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    U256 product = Multiply(units, static_cast<U128>(weights[i].raw()));
    // units * w_i / sum <= units, so the quotient always fits.
    REBILL_CHECK(DivideWithRemainder(product, weight_sum, &quotient[i], &remainder[i]));
    handed += quotient[i];
  }
  U128 left = units - handed;  // < weights.size()
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  for (size_t k = 0; k < order.size() && left > 0; ++k, --left) ++quotient[order[k]];

  std::vector<Decimal> parts;
  parts.reserve(weights.size());
  for (U128 q : quotient) {
    U128 magnitude = q * unit;  // <= |total|, so it fits even for the most negative total
    Rep v =
        negative ? static_cast<Rep>(static_cast<U128>(0) - magnitude) : static_cast<Rep>(magnitude);
    parts.push_back(Decimal::FromRaw(v));
  }
  return parts;
}

}  // namespace rebill
