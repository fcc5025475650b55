#include "rebill/core/period.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace rebill {
namespace {

constexpr Timestamp kNov2023 = 1698796800;  // 2023-11-01T00:00:00Z
constexpr Timestamp kDay = 86400;

TEST(TimestampTest, FromCivil) {
  EXPECT_EQ(TimestampFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(TimestampFromCivil(2023, 11, 1), kNov2023);
  EXPECT_EQ(TimestampFromCivil(2024, 2, 29, 12, 34, 56), 1709210096);
  EXPECT_EQ(TimestampFromCivil(1969, 12, 31, 23, 59, 59), -1);
}

TEST(TimestampTest, ParsesEveryBillingFileFormat) {
  struct Case {
    const char* text;
    Timestamp expected;
  };
  const Case cases[] = {
      {"2023-11-01T00:00:00Z", kNov2023},
      {"2023-11-01T00:00:00.000Z", kNov2023},
      {"2023-11-01T00:00Z", kNov2023},
      {"2023-11-01 00:00:00", kNov2023},
      {"20231101T000000.000Z", kNov2023},
      {"20231101T000000Z", kNov2023},
      {"20231101", kNov2023},
      {"2023-11-01", kNov2023},
      {"2023-11-01T00:00:00", kNov2023},
      {"2023-11-01T13:45:30Z", kNov2023 + 13 * 3600 + 45 * 60 + 30},
      {"2023-11-01T13:45:30.999999Z", kNov2023 + 13 * 3600 + 45 * 60 + 30},  // fraction dropped
      {"2023-11-01 13:45:30", kNov2023 + 13 * 3600 + 45 * 60 + 30},
      {"2023-11-01T13:45Z", kNov2023 + 13 * 3600 + 45 * 60},
      {"2023-11-01T13:45:30+00:00", kNov2023 + 13 * 3600 + 45 * 60 + 30},
      {"2023-11-01T13:45:30.250-00:00", kNov2023 + 13 * 3600 + 45 * 60 + 30},
      {"2023-11-01 13:45:30+0000", kNov2023 + 13 * 3600 + 45 * 60 + 30},
      {"20231101T134530.000Z", kNov2023 + 13 * 3600 + 45 * 60 + 30},
      {"2023-11-30T23:59:59Z", kNov2023 + 30 * kDay - 1},
      {"2024-02-29T12:34:56Z", 1709210096},
      {"1970-01-01T00:00:00Z", 0},
      {"1969-12-31T23:59:59Z", -1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    ASSERT_OK_AND_ASSIGN(Timestamp t, ParseTimestamp(c.text));
    EXPECT_EQ(t, c.expected);
  }
}

TEST(TimestampTest, RejectsInvalidDatesAndJunk) {
  for (const char* text : {
           "2023-02-30",
           "2023-02-29",  // not a leap year
           "2023-13-01",
           "2023-00-10",
           "2023-11-00",
           "2023-04-31",
           "20231301T000000Z",
           "20230230",
           "2023-11-01T25:00:00Z",
           "2023-11-01T10:60:00Z",
           "2023-11-01T10:00:61Z",
           "2023-11-01T00:00:00+01:00",
           "2023-11-01T00:00:00-07:00",
           "2023-11-01T00:00:00Z+00:00",
           "2023-11-01+00:00",
           "2023-11-01X",
           "2023-11-01T",
           "2023-11-01T00",
           "2023-11-01T00:00:00ZZ",
           "2023/11/01",
           "2023-11",
           "2023-1-01",
           "junk",
           "",
           "yesterday",
           "2023-11-01T00:00:00 Z",
           "20231101T0000",
       }) {
    SCOPED_TRACE(text);
    EXPECT_STATUS(ParseTimestamp(text), StatusCode::kInvalidInput,
                  "'" + std::string(text) + "' is not a UTC timestamp");
  }
}

TEST(TimestampTest, FormatRoundTrips) {
  EXPECT_EQ(FormatTimestamp(kNov2023), "2023-11-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatTimestamp(-kDay), "1969-12-31T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(1709210096), "2024-02-29T12:34:56Z");
  EXPECT_EQ(FormatDate(1709210096), "2024-02-29");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  for (Timestamp t : {Timestamp{0}, Timestamp{-1}, -kDay, -kDay - 1, kNov2023, kNov2023 - 1,
                      Timestamp{1709210096}, Timestamp{4102444799}, Timestamp{951782400}}) {
    SCOPED_TRACE(t);
    ASSERT_OK_AND_ASSIGN(Timestamp back, ParseTimestamp(FormatTimestamp(t)));
    EXPECT_EQ(back, t);
  }
}

TEST(BillingPeriodTest, ParseAndToString) {
  ASSERT_OK_AND_ASSIGN(BillingPeriod p, BillingPeriod::Parse("2023-11"));
  EXPECT_EQ(p.year(), 2023);
  EXPECT_EQ(p.month(), 11);
  EXPECT_EQ(p.ToString(), "2023-11");
  ASSERT_OK_AND_ASSIGN(BillingPeriod jan, BillingPeriod::Parse("2024-01"));
  EXPECT_EQ(jan.ToString(), "2024-01");
  // The month of a date or timestamp.
  ASSERT_OK_AND_ASSIGN(BillingPeriod from_date, BillingPeriod::Parse("2023-11-15T10:00:00Z"));
  EXPECT_EQ(from_date, p);
  ASSERT_OK_AND_ASSIGN(BillingPeriod made, BillingPeriod::Make(2023, 11));
  EXPECT_EQ(made, p);
}

TEST(BillingPeriodTest, RejectsBadText) {
  for (const char* text :
       {"2023-1", "23-11", "2023_11", "2023/11", "2023-11x", "november", "", "2023-1a", "202311"}) {
    SCOPED_TRACE(text);
    EXPECT_STATUS(BillingPeriod::Parse(text), StatusCode::kInvalidInput,
                  "'" + std::string(text) + "' is not a billing period");
  }
  EXPECT_STATUS(BillingPeriod::Parse("2023-13"), StatusCode::kInvalidInput, "2023-13");
  EXPECT_STATUS(BillingPeriod::Parse("2023-00"), StatusCode::kInvalidInput, "2023-0");
  EXPECT_STATUS(BillingPeriod::Make(1969, 12), StatusCode::kInvalidInput, "out of range");
  EXPECT_STATUS(BillingPeriod::Make(2023, 0), StatusCode::kInvalidInput, "out of range");
  EXPECT_STATUS(BillingPeriod::Make(2023, 13), StatusCode::kInvalidInput, "out of range");
  EXPECT_STATUS(BillingPeriod::Make(10000, 1), StatusCode::kInvalidInput, "out of range");
}

TEST(BillingPeriodTest, IsHalfOpen) {
  ASSERT_OK_AND_ASSIGN(BillingPeriod p, BillingPeriod::Parse("2023-11"));
  EXPECT_EQ(p.start(), kNov2023);
  ASSERT_OK_AND_ASSIGN(Timestamp december, ParseTimestamp("2023-12-01T00:00:00Z"));
  EXPECT_EQ(p.end(), december);
  EXPECT_EQ(p.end() - p.start(), 30 * kDay);

  EXPECT_TRUE(p.Contains(p.start()));
  ASSERT_OK_AND_ASSIGN(Timestamp last_second, ParseTimestamp("2023-11-30T23:59:59Z"));
  EXPECT_TRUE(p.Contains(last_second));
  EXPECT_FALSE(p.Contains(december));  // the first second of the next month
  EXPECT_FALSE(p.Contains(p.start() - 1));
  EXPECT_TRUE(p.Next().Contains(december));
  EXPECT_TRUE(p.Previous().Contains(p.start() - 1));
}

TEST(BillingPeriodTest, NextAndPreviousCrossYears) {
  ASSERT_OK_AND_ASSIGN(BillingPeriod dec, BillingPeriod::Parse("2023-12"));
  EXPECT_EQ(dec.Next().ToString(), "2024-01");
  EXPECT_EQ(dec.Next().Previous(), dec);
  ASSERT_OK_AND_ASSIGN(BillingPeriod jan, BillingPeriod::Parse("2024-01"));
  EXPECT_EQ(jan.Previous().ToString(), "2023-12");
  EXPECT_EQ(jan.Previous(), dec);
  EXPECT_LT(dec, jan);
  EXPECT_GT(jan, dec);

  // Twelve steps make a year, and each period ends where the next starts.
  BillingPeriod p = jan;
  for (int i = 0; i < 12; ++i) {
    SCOPED_TRACE(p.ToString());
    EXPECT_EQ(p.end(), p.Next().start());
    EXPECT_EQ(p.Next().Previous(), p);
    EXPECT_LT(p, p.Next());
    p = p.Next();
  }
  EXPECT_EQ(p.ToString(), "2025-01");
  EXPECT_EQ(p.start() - jan.start(), 366 * kDay);  // 2024 is a leap year
}

TEST(BillingPeriodTest, Containing) {
  ASSERT_OK_AND_ASSIGN(BillingPeriod nov, BillingPeriod::Parse("2023-11"));
  EXPECT_EQ(BillingPeriod::Containing(kNov2023), nov);
  EXPECT_EQ(BillingPeriod::Containing(kNov2023 + 15 * kDay), nov);
  EXPECT_EQ(BillingPeriod::Containing(nov.end() - 1), nov);
  EXPECT_EQ(BillingPeriod::Containing(nov.end()), nov.Next());
  EXPECT_EQ(BillingPeriod::Containing(kNov2023 - 1), nov.Previous());
  EXPECT_EQ(BillingPeriod::Containing(0).ToString(), "1970-01");
  ASSERT_OK_AND_ASSIGN(Timestamp new_year, ParseTimestamp("2023-12-31T23:59:59Z"));
  EXPECT_EQ(BillingPeriod::Containing(new_year).ToString(), "2023-12");
  EXPECT_EQ(BillingPeriod::Containing(new_year + 1).ToString(), "2024-01");
}

TEST(BillingPeriodTest, FebruaryEndsOnTheRightDay) {
  struct Case {
    const char* period;
    int days;
    const char* end;
  };
  const Case cases[] = {
      {"2024-02", 29, "2024-03-01T00:00:00Z"},
      {"2023-02", 28, "2023-03-01T00:00:00Z"},
      {"2000-02", 29, "2000-03-01T00:00:00Z"},  // divisible by 400
      {"2100-02", 28, "2100-03-01T00:00:00Z"},  // divisible by 100 only
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.period);
    ASSERT_OK_AND_ASSIGN(BillingPeriod p, BillingPeriod::Parse(c.period));
    EXPECT_EQ(p.end() - p.start(), c.days * kDay);
    EXPECT_EQ(FormatTimestamp(p.end()), c.end);
    EXPECT_TRUE(p.Contains(p.end() - 1));
    EXPECT_FALSE(p.Contains(p.end()));
  }
}

TEST(BillingPeriodTest, DefaultIsJanuary1970) {
  BillingPeriod p;
  EXPECT_EQ(p.ToString(), "1970-01");
  EXPECT_EQ(p.start(), 0);
}

// TimeOrder is a stable sort by time, whatever the spread of the times: checked against
// std::stable_sort on random months (hourly, many ties), months with a few far-off dates,
// negative times and times already in order.
TEST(TimeOrderTest, IsTheOrderOfAStableSort) {
  std::mt19937_64 random(20261124);
  auto reference = [](const std::vector<Timestamp>& times) {
    std::vector<uint32_t> order(times.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = static_cast<uint32_t>(k);
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return times[a] < times[b]; });
    return order;
  };
  for (int round = 0; round < 400; ++round) {
    std::vector<Timestamp> times(random() % 3000);
    const Timestamp base = round % 5 == 0 ? -kNov2023 : kNov2023;
    for (Timestamp& t : times) t = base + static_cast<Timestamp>(random() % (31 * 24)) * 3600;
    if (round % 3 == 1 && !times.empty()) {  // a date years away: wider than the counting passes
      times[random() % times.size()] =
          base + (static_cast<Timestamp>(random() % 1200) - 600) * 365 * kDay;
    }
    if (round % 7 == 2) std::sort(times.begin(), times.end());
    ASSERT_EQ(TimeOrder(times), reference(times)) << "round " << round;
  }
  EXPECT_TRUE(TimeOrder({}).empty());
  EXPECT_EQ(TimeOrder({5, 5, 3, 9, 3}), (std::vector<uint32_t>{2, 4, 0, 1, 3}));
}

}  // namespace

}  // namespace rebill
