#include "rebill/ingest/parquet/text.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

#include "rebill/core/shortest_double.h"

namespace rebill::parquet {
namespace {

constexpr int64_t kJulianDayOfEpoch = 2440588;
// 0000-01-01 and 9999-12-31 as days since 1970-01-01.
constexpr int64_t kMinDay = -719528;
constexpr int64_t kMaxDay = 2932896;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
// The remainder of FloorDiv, in [0, b); no intermediate product can overflow.
int64_t FloorMod(int64_t a, int64_t b) {
  int64_t r = a % b;
  return r < 0 ? r + b : r;
}

void AppendDigits(int64_t value, int width, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad) out->push_back('0');
  out->append(buf, end);
}

void AppendCivilDate(int64_t days, std::string* out) {
  std::chrono::year_month_day ymd{
      std::chrono::sys_days{std::chrono::days{static_cast<int32_t>(days)}}};
  AppendDigits(static_cast<int>(ymd.year()), 4, out);
  out->push_back('-');
  AppendDigits(static_cast<unsigned>(ymd.month()), 2, out);
  out->push_back('-');
  AppendDigits(static_cast<unsigned>(ymd.day()), 2, out);
}

// seconds since the epoch plus `fraction` (of `digits` digits) as ISO 8601 UTC.
void AppendInstant(int64_t seconds, int64_t fraction, int digits, int64_t raw, std::string* out) {
  int64_t days = FloorDiv(seconds, 86400);
  if (days < kMinDay || days > kMaxDay) {
    out->append("out-of-range:");
    AppendDigits(raw, 0, out);
    return;
  }
  int64_t sod = seconds - days * 86400;
  AppendCivilDate(days, out);
  out->push_back('T');
  AppendDigits(sod / 3600, 2, out);
  out->push_back(':');
  AppendDigits(sod / 60 % 60, 2, out);
  out->push_back(':');
  AppendDigits(sod % 60, 2, out);
  if (fraction != 0) {
    while (fraction % 10 == 0) {
      fraction /= 10;
      --digits;
    }
    out->push_back('.');
    AppendDigits(fraction, digits, out);
  }
  out->push_back('Z');
}

}  // namespace

void AppendDecimal(Int128 unscaled, int scale, std::string* out) {
  bool negative = unscaled < 0;
  UInt128 magnitude = negative ? -static_cast<UInt128>(unscaled) : static_cast<UInt128>(unscaled);
  char digits[48];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  if (negative) out->push_back('-');
  if (scale <= 0) {
    for (int i = n - 1; i >= 0; --i) out->push_back(digits[i]);
    for (int i = 0; i < -scale; ++i) out->push_back('0');
    return;
  }
  if (n <= scale) {
    out->append("0.");
    for (int i = 0; i < scale - n; ++i) out->push_back('0');
    for (int i = n - 1; i >= 0; --i) out->push_back(digits[i]);
    return;
  }
  for (int i = n - 1; i >= 0; --i) {
    out->push_back(digits[i]);
    if (i == scale) out->push_back('.');
  }
}

bool BigEndianToInt128(std::string_view bytes, Int128* out) {
  if (bytes.size() > 16) return false;
  if (bytes.empty()) {
    *out = 0;
    return true;
  }
  UInt128 v = static_cast<uint8_t>(bytes[0]) & 0x80 ? ~static_cast<UInt128>(0) : 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  *out = static_cast<Int128>(v);
  return true;
}

void AppendTimestamp(int64_t value, TimeUnit unit, std::string* out) {
  int64_t per_second = unit == TimeUnit::kMillis   ? 1000
                       : unit == TimeUnit::kMicros ? 1000000
                                                   : 1000000000;
  int digits = unit == TimeUnit::kMillis ? 3 : unit == TimeUnit::kMicros ? 6 : 9;
  AppendInstant(FloorDiv(value, per_second), FloorMod(value, per_second), digits, value, out);
}

void AppendInt96Timestamp(const uint8_t* bytes, std::string* out) {
  int64_t nanos = 0;
  int32_t julian = 0;
  std::memcpy(&nanos, bytes, 8);
  std::memcpy(&julian, bytes + 8, 4);
  int64_t seconds =
      (static_cast<int64_t>(julian) - kJulianDayOfEpoch) * 86400 + FloorDiv(nanos, 1000000000);
  AppendInstant(seconds, FloorMod(nanos, 1000000000), 9, nanos, out);
}

void AppendDate(int64_t days, std::string* out) {
  if (days < kMinDay || days > kMaxDay) {
    out->append("out-of-range:");
    AppendDigits(days, 0, out);
    return;
  }
  AppendCivilDate(days, out);
}

namespace {

// The text std::to_chars writes for `value`, for the values ShortestDecimalDigits reads: the
// shorter of fixed and scientific notation, fixed on a tie. False for any other value.
bool AppendShortDouble(double value, std::string* out) {
  uint64_t n;
  int k;
  if (!ShortestDecimalDigits(value, &n, &k)) return false;
  char digits[20];
  char* digits_end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  int count = static_cast<int>(digits_end - digits);
  int exponent = count - 1 - k;  // in scientific notation
  int exponent_digits = std::abs(exponent) >= 100 ? 3 : 2;
  int scientific_length = count + (count > 1 ? 1 : 0) + 2 + exponent_digits;
  int fixed_length = exponent >= 0 ? (count <= exponent + 1 ? exponent + 1 : count + 1)
                                   : 2 + (-exponent - 1) + count;
  // Written into a buffer and appended once: the longest text is 24 characters.
  char text[40];
  char* p = text;
  if (value < 0) *p++ = '-';
  auto copy = [&p](const char* from, const char* to) {
    std::memcpy(p, from, static_cast<size_t>(to - from));
    p += to - from;
  };
  if (fixed_length <= scientific_length) {  // to_chars prefers fixed on a tie
    if (exponent >= 0) {
      if (count <= exponent + 1) {
        copy(digits, digits_end);
        for (int z = count; z < exponent + 1; ++z) *p++ = '0';
      } else {
        copy(digits, digits + exponent + 1);
        *p++ = '.';
        copy(digits + exponent + 1, digits_end);
      }
    } else {
      *p++ = '0';
      *p++ = '.';
      for (int z = 0; z < -exponent - 1; ++z) *p++ = '0';
      copy(digits, digits_end);
    }
  } else {
    *p++ = digits[0];
    if (count > 1) {
      *p++ = '.';
      copy(digits + 1, digits_end);
    }
    *p++ = 'e';
    *p++ = exponent < 0 ? '-' : '+';
    int e = std::abs(exponent);
    if (exponent_digits == 3) *p++ = static_cast<char>('0' + e / 100);
    *p++ = static_cast<char>('0' + e / 10 % 10);
    *p++ = static_cast<char>('0' + e % 10);
  }
  out->append(text, p);
  return true;
}

}  // namespace

void AppendDouble(double value, std::string* out) {
  if (AppendShortDouble(value, out)) return;
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  out->append(buf, end);
}

void AppendFloat(float value, std::string* out) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  out->append(buf, end);
}

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

}  // namespace rebill::parquet
