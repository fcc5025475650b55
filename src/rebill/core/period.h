// Time: UTC timestamps as seconds since the epoch, and the billing period, a calendar month
// taken as the half-open interval [first day 00:00, first day of next month 00:00).
//
//   REBILL_ASSIGN_OR_RETURN(BillingPeriod p, BillingPeriod::Parse("2023-11"));
//   if (p.Contains(usage_start)) ...
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/core/result.h"

namespace rebill {

/// Seconds since 1970-01-01T00:00:00Z.
using Timestamp = int64_t;

/// Parse an ISO 8601 UTC timestamp as billing files write them: "2023-11-01T00:00:00Z",
/// "2023-11-01T00:00:00.000Z", "2023-11-01T00:00Z", "2023-11-01 00:00:00" (FOCUS samples),
/// "20231101T000000.000Z" (manifests) or a bare date "2023-11-01"; a zero offset ("+00:00")
/// may stand for the Z.
Result<Timestamp> ParseTimestamp(std::string_view text);
/// "2023-11-01T00:00:00Z"
std::string FormatTimestamp(Timestamp t);
/// "2023-11-01"
std::string FormatDate(Timestamp t);
/// Seconds since the epoch of the civil date (UTC midnight).
Timestamp TimestampFromCivil(int year, unsigned month, unsigned day, int hour = 0, int minute = 0,
                             int second = 0);
/// The numbers 0..n-1 of `times`, in order of time and, for equal times, of number: the order
/// a stable sort of `times` would put them in.
std::vector<uint32_t> TimeOrder(const std::vector<Timestamp>& times);

class BillingPeriod {
 public:
  constexpr BillingPeriod() = default;
  /// "2023-11" (also accepts "2023-11-01..." and takes the month of it).
  static Result<BillingPeriod> Parse(std::string_view text);
  static Result<BillingPeriod> Make(int year, int month);
  /// The period containing `t`.
  static BillingPeriod Containing(Timestamp t);

  int year() const { return year_; }
  int month() const { return month_; }
  Timestamp start() const;
  Timestamp end() const;  // exclusive
  bool Contains(Timestamp t) const { return t >= start() && t < end(); }
  BillingPeriod Next() const;
  BillingPeriod Previous() const;
  /// "2023-11"
  std::string ToString() const;

  friend constexpr auto operator<=>(const BillingPeriod&, const BillingPeriod&) = default;

 private:
  constexpr BillingPeriod(int year, int month) : year_(year), month_(month) {}
  int year_ = 1970;
  int month_ = 1;
};

}  // namespace rebill
