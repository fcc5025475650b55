#include "rebill/map/map.h"

#include <gtest/gtest.h>

#include <random>

#include "testing/status_matchers.h"

namespace rebill::map {
namespace {

CurLine Line(std::string account, Timestamp start, const char* cost) {
  CurLine line;
  line.period = BillingPeriod::Make(2026, 10).value();
  line.payer_account = "999999999999";
  line.usage_account = std::move(account);
  line.usage_start = start;
  line.cost.unblended = D(cost);
  line.cost.amortized = D(cost);
  return line;
}

Timestamp Oct(unsigned day, int hour = 0) { return TimestampFromCivil(2026, 10, day, hour); }

TEST(MapAccounts, AssignsByUsageStartWithinEffectiveWindows) {
  NormalizedMonth month;
  month.lines = {Line("333333333333", Oct(13, 23), "1"), Line("333333333333", Oct(14, 0), "2"),
                 Line("011111111111", Oct(2), "3"), Line("555555555555", Oct(2), "4")};
  AccountMap accounts;
  accounts.assignments = {
      {"333333333333", "alpha", std::numeric_limits<Timestamp>::min(), Oct(14), "a"},
      {"333333333333", "beta", Oct(14), std::numeric_limits<Timestamp>::max(), "b"},
      {"011111111111", "beta", std::numeric_limits<Timestamp>::min(),
       std::numeric_limits<Timestamp>::max(), "c"}};
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(MappedLines mapped, MapAccounts(month, accounts, Organization{}, ctx));
  ASSERT_EQ(mapped.lines.size(), 4u);
  EXPECT_EQ(mapped.lines[0].customer, "alpha");  // 23:00 on the 13th is still Alpha's
  EXPECT_EQ(mapped.lines[1].customer, "beta");   // 00:00 on the 14th is Beta's
  EXPECT_EQ(mapped.lines[2].customer, "beta");   // leading zero kept in the account id
  EXPECT_TRUE(mapped.lines[3].unassigned());
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(mapped.lines[i].line, i);
    EXPECT_EQ(mapped.lines[i].cost, month.lines[i].cost);
  }
}

TEST(ValidateAccountMap, OverlappingAssignmentsNameBothKeys) {
  AccountMap accounts;
  accounts.assignments = {{"333333333333", "alpha", std::numeric_limits<Timestamp>::min(), Oct(15),
                           "customer[0].accounts[0]"},
                          {"333333333333", "beta", Oct(14), std::numeric_limits<Timestamp>::max(),
                           "customer[1].accounts[0]"}};
  Status s = ValidateAccountMap(accounts);
  EXPECT_STATUS(s, StatusCode::kInvalidInput,
                "customer[0].accounts[0] and customer[1].accounts[0]");
  EXPECT_STATUS(s, StatusCode::kInvalidInput, "overlap");
}

TEST(ValidateAccountMap, EmptyWindowIsAnError) {
  AccountMap accounts;
  accounts.assignments = {{"333333333333", "alpha", Oct(15), Oct(14), "customer[0].accounts[0]"}};
  EXPECT_STATUS(ValidateAccountMap(accounts), StatusCode::kInvalidInput, "customer[0].accounts[0]");
}

TEST(ValidateAccountMap, AdjacentWindowsAreFine) {
  AccountMap accounts;
  accounts.assignments = {{"333333333333", "alpha", Oct(1), Oct(14), "a"},
                          {"333333333333", "beta", Oct(14), Oct(20), "b"}};
  EXPECT_OK(ValidateAccountMap(accounts));
}

// Property: random lines and random non-overlapping assignments — every line lands exactly once
// and keeps its whole cost.
TEST(MapAccounts, EveryLineLandsOnceProperty) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 50; ++round) {
    NormalizedMonth month;
    AccountMap accounts;
    for (int a = 0; a < 5; ++a) {
      std::string account = "00000000000" + std::to_string(a);
      Timestamp cut = Oct(2 + static_cast<unsigned>(rng() % 29));
      accounts.assignments.push_back({account, "c" + std::to_string(a), Oct(1), cut, "k"});
      if (rng() % 2 == 0) accounts.assignments.push_back({account, "d", cut, Oct(31), "k"});
    }
    for (int i = 0; i < 200; ++i) {
      std::string account = "00000000000" + std::to_string(rng() % 7);
      month.lines.push_back(Line(account, Oct(1 + static_cast<unsigned>(rng() % 31)), "1.5"));
    }
    RunContext ctx;
    ASSERT_OK_AND_ASSIGN(MappedLines mapped, MapAccounts(month, accounts, Organization{}, ctx));
    ASSERT_EQ(mapped.lines.size(), month.lines.size());
    for (size_t i = 0; i < mapped.lines.size(); ++i) {
      EXPECT_EQ(mapped.lines[i].line, i);
      EXPECT_EQ(mapped.lines[i].cost, month.lines[i].cost);
      const std::string& account = month.lines[i].usage_account;
      int owners = 0;
      for (const Assignment& a : accounts.assignments) {
        if (a.account == account && month.lines[i].usage_start >= a.from &&
            month.lines[i].usage_start < a.to) {
          ++owners;
          EXPECT_EQ(mapped.lines[i].customer, a.customer);
        }
      }
      if (owners == 0) {
        EXPECT_TRUE(mapped.lines[i].unassigned());
      }
      EXPECT_LE(owners, 1);
    }
  }
}

}  // namespace
}  // namespace rebill::map
