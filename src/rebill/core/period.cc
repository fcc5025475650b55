#include "rebill/core/period.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

namespace rebill {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// 'text', built by appending: GCC 12 warns falsely (-Wrestrict) about "'" + std::string.
std::string Quoted(std::string_view text) {
  std::string out(1, '\'');
  out.append(text).push_back('\'');
  return out;
}

}  // namespace

Timestamp TimestampFromCivil(int year, unsigned month, unsigned day, int hour, int minute,
                             int second) {
  using namespace std::chrono;
  sys_days d =
      year_month_day{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
  return static_cast<Timestamp>(d.time_since_epoch().count()) * 86400 + hour * 3600 + minute * 60 +
         second;
}

// A month's times lie within some 2^22 seconds of each other, so three stable counting passes of
// 11 bits over the offsets from the earliest put them in order in linear time; a wider spread
// (dates far outside the month) is sorted by comparison.
std::vector<uint32_t> TimeOrder(const std::vector<Timestamp>& times) {
  std::vector<uint32_t> order(times.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = static_cast<uint32_t>(k);
  if (std::is_sorted(times.begin(), times.end())) return order;
  auto [low, high] = std::minmax_element(times.begin(), times.end());
  constexpr int kBits = 11, kPasses = 3;
  if (static_cast<uint64_t>(*high - *low) >> (kBits * kPasses) != 0) {
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return times[a] < times[b]; });
    return order;
  }
  const Timestamp base = *low;
  std::vector<uint32_t> next(order.size());
  std::vector<size_t> at(size_t{1} << kBits);
  for (int pass = 0; pass < kPasses; ++pass) {
    const int shift = pass * kBits;
    auto digit = [&](uint32_t k) {
      return static_cast<size_t>((static_cast<uint64_t>(times[k] - base) >> shift) &
                                 ((1u << kBits) - 1));
    };
    std::fill(at.begin(), at.end(), 0);
    for (uint32_t k : order) ++at[digit(k)];
    size_t sum = 0;
    for (size_t& a : at) sum += std::exchange(a, sum);
    for (uint32_t k : order) next[at[digit(k)]++] = k;
    order.swap(next);
  }
  return order;
}

Result<Timestamp> ParseTimestamp(std::string_view text) {
  auto fail = [&] {
    return InvalidInput(Quoted(text.substr(0, 40)) +
                        " is not a UTC timestamp (expected e.g. 2023-11-01T00:00:00Z)");
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  size_t pos = 0;
  bool compact = text.size() >= 8 && text[4] != '-';
  if (compact) {  // 20231101T000000.000Z
    if (!Digits(text, 0, 4, &year) || !Digits(text, 4, 2, &month) || !Digits(text, 6, 2, &day)) {
      return fail();
    }
    pos = 8;
    if (pos < text.size()) {
      if (text[pos] != 'T' || !Digits(text, pos + 1, 2, &hour) ||
          !Digits(text, pos + 3, 2, &minute) || !Digits(text, pos + 5, 2, &second)) {
        return fail();
      }
      pos += 7;
    }
  } else {
    if (!Digits(text, 0, 4, &year) || text.size() < 10 || text[4] != '-' ||
        !Digits(text, 5, 2, &month) || text[7] != '-' || !Digits(text, 8, 2, &day)) {
      return fail();
    }
    pos = 10;
    if (pos < text.size()) {
      if ((text[pos] != 'T' && text[pos] != ' ') || !Digits(text, pos + 1, 2, &hour) ||
          text.size() < pos + 6 || text[pos + 3] != ':' || !Digits(text, pos + 4, 2, &minute)) {
        return fail();
      }
      pos += 6;
      if (pos < text.size() && text[pos] == ':') {
        if (!Digits(text, pos + 1, 2, &second)) return fail();
        pos += 3;
      }
    }
  }
  if (pos < text.size() && text[pos] == '.') {  // fractional seconds are dropped
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  }
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos > 10) {
    // A zero offset is UTC written another way (other providers' FOCUS exports). Any other
    // offset is refused: read as UTC it would move the time, and with it perhaps the month.
    for (std::string_view zero : {"+00:00", "-00:00", "+0000"}) {
      if (text.substr(pos) == zero) pos = text.size();
    }
  }
  if (pos != text.size()) return fail();
  std::chrono::year_month_day ymd{std::chrono::year{year},
                                  std::chrono::month{static_cast<unsigned>(month)},
                                  std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 24 || minute > 59 || second > 60) return fail();
  return TimestampFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day), hour,
                            minute, second);
}

namespace {
std::chrono::year_month_day CivilOf(Timestamp t, int64_t* seconds_of_day) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  *seconds_of_day = t - days * 86400;
  return std::chrono::year_month_day{
      std::chrono::sys_days{std::chrono::days{static_cast<int>(days)}}};
}
}  // namespace

std::string FormatTimestamp(Timestamp t) {
  int64_t sod = 0;
  auto ymd = CivilOf(t, &sod);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return buf;
}

std::string FormatDate(Timestamp t) { return FormatTimestamp(t).substr(0, 10); }

Result<BillingPeriod> BillingPeriod::Make(int year, int month) {
  if (year < 1970 || year > 9999 || month < 1 || month > 12) {
    return InvalidInput("billing period " + std::to_string(year) + "-" + std::to_string(month) +
                        " is out of range");
  }
  return BillingPeriod(year, month);
}

Result<BillingPeriod> BillingPeriod::Parse(std::string_view text) {
  int year = 0, month = 0;
  if (text.size() < 7 || !Digits(text, 0, 4, &year) || text[4] != '-' ||
      !Digits(text, 5, 2, &month)) {
    return InvalidInput(Quoted(text) + " is not a billing period (use YYYY-MM)");
  }
  if (text.size() > 7 && text[7] != '-') {
    return InvalidInput(Quoted(text) + " is not a billing period (use YYYY-MM)");
  }
  return Make(year, month);
}

BillingPeriod BillingPeriod::Containing(Timestamp t) {
  int64_t sod = 0;
  auto ymd = CivilOf(t, &sod);
  return BillingPeriod(static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())));
}

Timestamp BillingPeriod::start() const {
  return TimestampFromCivil(year_, static_cast<unsigned>(month_), 1);
}

Timestamp BillingPeriod::end() const { return Next().start(); }

BillingPeriod BillingPeriod::Next() const {
  return month_ == 12 ? BillingPeriod(year_ + 1, 1) : BillingPeriod(year_, month_ + 1);
}

BillingPeriod BillingPeriod::Previous() const {
  return month_ == 1 ? BillingPeriod(year_ - 1, 12) : BillingPeriod(year_, month_ - 1);
}

std::string BillingPeriod::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year_, month_);
  return buf;
}

}  // namespace rebill
