#include "rebill/map/map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "rebill/map/organization_import.h"
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

TEST(MapAccounts, TheResellersOwnAccountsAreNotUnassigned) {
  NormalizedMonth month;
  month.lines = {Line("999999999999", Oct(1), "17.112"), Line("444444444444", Oct(1), "3.35")};
  AccountMap accounts;
  accounts.reseller_accounts = {"999999999999"};
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(MappedLines mapped, MapAccounts(month, accounts, Organization{}, ctx));
  EXPECT_TRUE(mapped.lines[0].reseller);
  EXPECT_FALSE(mapped.lines[0].unassigned());
  EXPECT_TRUE(mapped.lines[1].unassigned());
  ASSERT_OK_AND_ASSIGN(AccountCheck check, CheckAccounts(month, mapped, accounts, Organization{},
                                                         BillingPeriod::Make(2026, 10).value()));
  ASSERT_EQ(check.unassigned_spend.size(), 1u);
  EXPECT_EQ(check.unassigned_spend[0].account, "444444444444");

  accounts.assignments = {
      {"999999999999", "acme", kBeginning, kForever, "customer[0].accounts[0]"}};
  EXPECT_STATUS(ValidateAccountMap(accounts), StatusCode::kInvalidInput,
                "customer[0].accounts[0]: account 999999999999 is one of the reseller's own");
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

CurLine Tagged(std::string account, Timestamp start, const char* cost, const char* tag) {
  CurLine line = Line(std::move(account), start, cost);
  if (tag != nullptr) line.tags = {{"user:CostCenter", tag}};
  return line;
}

std::map<std::string, Decimal> AmortizedBy(const MappedLines& mapped) {
  std::map<std::string, Decimal> out;
  for (const MappedLine& m : mapped.lines)
    out[m.unassigned() ? "(unassigned)" : m.customer] += m.cost.amortized;
  return out;
}

TEST(MapAccounts, SharedAccountByTagWithUntaggedGoingProportionally) {
  NormalizedMonth month;
  month.lines = {Tagged("333333333333", Oct(1), "60", "cc-100"),
                 Tagged("333333333333", Oct(2), "30", "cc-200"),
                 Tagged("333333333333", Oct(3), "10", "cc-300"),
                 Tagged("333333333333", Oct(4), "1.00", nullptr),    // untagged
                 Tagged("333333333333", Oct(5), "0.01", "cc-999")};  // a value no rule knows
  AccountMap accounts;
  Split split;
  split.account = "333333333333";
  split.key = "user:CostCenter";
  split.values = {{"cc-100", "eng"}, {"cc-200", "sales"}, {"cc-300", "ops"}};
  split.untagged_proportional = true;
  split.config_key = "split[0]";
  accounts.splits = {split};
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(MappedLines mapped, MapAccounts(month, accounts, Organization{}, ctx));
  // Untagged 1.00 and unmatched 0.01 spread 60 : 30 : 10 -> eng 0.606, sales 0.303, ops 0.101.
  auto by = AmortizedBy(mapped);
  EXPECT_EQ(by["eng"], D("60.606"));
  EXPECT_EQ(by["sales"], D("30.303"));
  EXPECT_EQ(by["ops"], D("10.101"));
  EXPECT_EQ(by.count("(unassigned)"), 0u);
  // Parts stay in line order and each line's parts sum to the line.
  std::map<size_t, Decimal> per_line;
  for (size_t i = 0; i < mapped.lines.size(); ++i) {
    if (i > 0) {
      EXPECT_LE(mapped.lines[i - 1].line, mapped.lines[i].line);
    }
    per_line[mapped.lines[i].line] += mapped.lines[i].cost.unblended;
  }
  for (size_t i = 0; i < month.lines.size(); ++i)
    EXPECT_EQ(per_line[i], month.lines[i].cost.unblended);
  EXPECT_EQ(mapped.lines[0].how, "tag user:CostCenter=cc-100");

  // Untagged to a named customer instead.
  accounts.splits[0].untagged_proportional = false;
  accounts.splits[0].untagged = "ops";
  ASSERT_OK_AND_ASSIGN(mapped, MapAccounts(month, accounts, Organization{}, ctx));
  by = AmortizedBy(mapped);
  EXPECT_EQ(by["ops"], D("11.01"));
  EXPECT_EQ(by["eng"], D("60"));

  ASSERT_OK_AND_ASSIGN(AccountCheck check, CheckAccounts(month, mapped, accounts, Organization{},
                                                         BillingPeriod::Make(2026, 10).value()));
  ASSERT_EQ(check.unmatched_tag_values.size(), 2u);
  EXPECT_EQ(check.unmatched_tag_values[0].value, "");  // untagged
  EXPECT_EQ(check.unmatched_tag_values[0].amount, D("1.00"));
  EXPECT_EQ(check.unmatched_tag_values[1].value, "cc-999");
  EXPECT_EQ(check.unmatched_tag_values[1].config_key, "split[0]");
}

TEST(MapAccounts, PercentSplitIsExact) {
  NormalizedMonth month;
  month.lines = {Line("444444444444", Oct(1), "0.01"), Line("444444444444", Oct(2), "100")};
  AccountMap accounts;
  Split split;
  split.account = "444444444444";
  split.by = Split::By::kPercent;
  split.percents = {{"a", D("33.3")}, {"b", D("33.3")}, {"c", D("33.4")}};
  split.config_key = "split[0]";
  accounts.splits = {split};
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(MappedLines mapped, MapAccounts(month, accounts, Organization{}, ctx));
  ASSERT_EQ(mapped.lines.size(), 6u);
  auto by = AmortizedBy(mapped);
  EXPECT_EQ(by["a"] + by["b"] + by["c"], D("100.01"));
  EXPECT_EQ(by["c"], D("33.40334"));  // 33.4% of 100.01, exact at 18 digits
}

TEST(ValidateAccountMap, SplitErrorsNameTheKey) {
  AccountMap accounts;
  Split split;
  split.account = "444444444444";
  split.by = Split::By::kPercent;
  split.percents = {{"a", D("50")}, {"b", D("40")}};
  split.config_key = "split[3]";
  accounts.splits = {split};
  EXPECT_STATUS(ValidateAccountMap(accounts), StatusCode::kInvalidInput,
                "split[3].percent: the shares add up to 90, not 100");
  accounts.splits[0].percents[1].second = D("50");
  accounts.assignments = {{"444444444444", "a", kBeginning, kForever, "customer[0].accounts[0]"}};
  EXPECT_STATUS(ValidateAccountMap(accounts), StatusCode::kInvalidInput,
                "customer[0].accounts[0] and split[3]");
}

Organization Org() {
  Organization org;
  OrgAccount a;
  a.id = "555555555555";
  a.name = "globex-prod";
  a.paths = {"o-abc/r-root/ou-glbx-1111/555555555555/"};
  a.joined = TimestampFromCivil(2026, 10, 10);
  OrgAccount b;
  b.id = "666666666666";
  b.name = "initech-dev";
  b.tags = {{"customer", "initech"}};
  OrgAccount c;
  c.id = "777777777777";
  c.name = "sandbox";
  org.accounts = {a, b, c};
  return org;
}

TEST(ApplyRules, MatchByOuTagAndNameFromJoinTime) {
  AccountMap accounts;
  accounts.rules = {{"globex", "*/ou-glbx-*/*", "", "", 0, "assignment_rule[0]"},
                    {"initech", "", "customer=initech", "", 0, "assignment_rule[1]"},
                    {"acme", "", "", "*-dev", 5, "assignment_rule[2]"}};
  ASSERT_OK_AND_ASSIGN(std::vector<Assignment> ruled, ApplyRules(accounts, Org()));
  ASSERT_EQ(ruled.size(), 2u);
  EXPECT_EQ(ruled[0].account, "555555555555");
  EXPECT_EQ(ruled[0].customer, "globex");
  EXPECT_EQ(ruled[0].from, TimestampFromCivil(2026, 10, 10));
  EXPECT_EQ(ruled[1].customer, "acme");  // priority 5 beats the tag rule
  EXPECT_EQ(ruled[1].config_key, "assignment_rule[2]");

  // Usage before the account joined is not the rule's customer.
  NormalizedMonth month;
  month.lines = {Line("555555555555", Oct(9), "1"), Line("555555555555", Oct(10), "2")};
  RunContext ctx;
  ASSERT_OK_AND_ASSIGN(MappedLines mapped, MapAccounts(month, accounts, Org(), ctx));
  EXPECT_TRUE(mapped.lines[0].unassigned());
  EXPECT_EQ(mapped.lines[1].customer, "globex");

  accounts.rules[2].priority = 0;
  EXPECT_STATUS(ApplyRules(accounts, Org()), StatusCode::kInvalidInput,
                "assignment_rule[1] and assignment_rule[2] both give account 666666666666");
}

TEST(CheckAccounts, ReportsUnassignedSpendUnusedAccountsOwnerChangesAndStrangers) {
  NormalizedMonth month;
  // The stranger's lines first: the accounts missing from the organization still come sorted.
  month.lines = {Line("999999999999", Oct(1), "2.5"), Line("999999999999", Oct(2), "0.5"),
                 Line("333333333333", Oct(13), "5"), Line("333333333333", Oct(20), "7")};
  AccountMap accounts;
  accounts.assignments = {
      {"333333333333", "alpha", kBeginning, Oct(14), "customer[0].accounts[0]"},
      {"333333333333", "beta", Oct(14), kForever, "customer[1].accounts[0]"},
      {"121212121212", "beta", kBeginning, kForever, "customer[1].accounts[1]"}};
  RunContext ctx;
  Organization org = Org();
  ASSERT_OK_AND_ASSIGN(MappedLines mapped, MapAccounts(month, accounts, org, ctx));
  ASSERT_OK_AND_ASSIGN(AccountCheck check, CheckAccounts(month, mapped, accounts, org,
                                                         BillingPeriod::Make(2026, 10).value()));
  ASSERT_EQ(check.unassigned_spend.size(), 1u);
  EXPECT_EQ(check.unassigned_spend[0].account, "999999999999");
  EXPECT_EQ(check.unassigned_spend[0].amount, D("3"));
  EXPECT_EQ(check.unassigned_spend[0].lines, 2u);
  ASSERT_EQ(check.configured_without_usage.size(), 1u);
  EXPECT_EQ(check.configured_without_usage[0].first, "121212121212");
  ASSERT_EQ(check.owner_changes.size(), 1u);
  EXPECT_EQ(check.owner_changes[0].owners, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_TRUE(check.organization_imported);
  EXPECT_EQ(check.missing_from_organization,
            (std::vector<std::string>{"333333333333", "999999999999"}));
  std::string json = RenderAccountCheckJson(check, BillingPeriod::Make(2026, 10).value(), 2);
  EXPECT_NE(json.find("\"amount\": \"3.00\""), std::string::npos) << json;
}

TEST(ParseOrganizationJson, AccountsAndHandshakesInEveryState) {
  ASSERT_OK_AND_ASSIGN(Organization accounts, ParseOrganizationJson(R"json({"Accounts": [
      {"Id": "011111111111", "Arn": "arn:aws:organizations::999999999999:account/o-x/011111111111",
       "Email": "a@example.com", "Name": "Acme", "Status": "ACTIVE", "JoinedMethod": "INVITED",
       "JoinedTimestamp": "2026-03-14T09:30:00.123000+00:00"},
      {"Id": "222222222222", "Name": "Globex", "State": "SUSPENDED", "JoinedMethod": "CREATED",
       "JoinedTimestamp": 1760000000.5, "Paths": ["o-x/r-y/ou-z/222222222222/"]}]})json",
                                                                    "accounts.json"));
  ASSERT_EQ(accounts.accounts.size(), 2u);
  EXPECT_EQ(accounts.accounts[0].id, "011111111111");
  EXPECT_EQ(accounts.accounts[0].state, "ACTIVE");  // from Status when State is absent
  EXPECT_EQ(accounts.accounts[0].joined, TimestampFromCivil(2026, 3, 14, 9, 30));
  EXPECT_EQ(accounts.accounts[1].joined, 1760000000);
  EXPECT_EQ(accounts.accounts[1].paths.size(), 1u);

  std::string handshakes = R"json({"Handshakes": [)json";
  const char* states[] = {"REQUESTED", "OPEN", "ACCEPTED", "DECLINED", "CANCELED", "EXPIRED"};
  for (int i = 0; i < 6; ++i) {
    handshakes += std::string(i ? "," : "") + R"json({"Id": "h-)json" + std::to_string(i) +
                  R"json(", "Action": "INVITE", "State": ")json" + states[i] +
                  R"json(", "Parties": [{"Id": "o-x", "Type": "ORGANIZATION"},
                     {"Id": "33333333333)json" +
                  std::to_string(i) + R"json(", "Type": "ACCOUNT"}],
                   "RequestedTimestamp": "2026-10-01T00:00:00Z",
                   "ExpirationTimestamp": "2026-10-16T00:00:00Z"})json";
  }
  handshakes += "]}";
  ASSERT_OK_AND_ASSIGN(Organization invites, ParseOrganizationJson(handshakes, "handshakes.json"));
  ASSERT_EQ(invites.handshakes.size(), 6u);
  EXPECT_EQ(invites.handshakes[5].state, "EXPIRED");
  EXPECT_EQ(invites.handshakes[2].account, "333333333332");
  EXPECT_EQ(invites.handshakes[0].expires - invites.handshakes[0].requested, 15 * 86400);

  EXPECT_STATUS(ParseOrganizationJson(R"({"Accounts": [{"Id": "12345"}]})", "bad.json"),
                StatusCode::kInvalidInput, "bad.json: Accounts[0].Id: '12345'");
  EXPECT_STATUS(
      ParseOrganizationJson(R"({"Handshakes": [{"Id": "h-1", "State": "MAYBE"}]})", "h.json"),
      StatusCode::kInvalidInput, "h.json: Handshakes[0].State: 'MAYBE'");
  EXPECT_STATUS(ParseOrganizationJson("[]", "x.json"), StatusCode::kInvalidInput, "x.json");
  EXPECT_STATUS(ParseOrganizationJson(R"({"Other": 1})", "y.json"), StatusCode::kInvalidInput,
                "neither an 'Accounts' nor a 'Handshakes' list");
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
    // With a percentage split and a proportional tag split on two more accounts, every line's
    // parts still sum exactly to the line, in every view.
    NormalizedMonth shared = month;
    AccountMap with_splits = accounts;
    Split by_percent;
    by_percent.account = "000000000005";
    by_percent.by = Split::By::kPercent;
    by_percent.percents = {{"p", D("12.5")}, {"q", D("87.5")}};
    by_percent.config_key = "split[0]";
    Split by_tag;
    by_tag.account = "000000000006";
    by_tag.key = "user:CostCenter";
    by_tag.values = {{"a", "ta"}, {"b", "tb"}};
    by_tag.untagged_proportional = true;
    by_tag.config_key = "split[1]";
    with_splits.splits = {by_percent, by_tag};
    for (CurLine& line : shared.lines) {
      uint64_t r = rng();
      line.cost.unblended = Decimal::FromRaw(static_cast<Decimal::Rep>(r % 1000000007) - 500000000);
      line.cost.amortized = Decimal::FromRaw(static_cast<Decimal::Rep>(r % 999983));
      if (r % 3 == 0) line.tags = {{"user:CostCenter", r % 2 ? "a" : "b"}};
    }
    ASSERT_OK_AND_ASSIGN(MappedLines split_parts,
                         MapAccounts(shared, with_splits, Organization{}, ctx));
    std::vector<CostViews> sums(shared.lines.size());
    for (const MappedLine& m : split_parts.lines) {
      sums[m.line].unblended += m.cost.unblended;
      sums[m.line].net_unblended += m.cost.net_unblended;
      sums[m.line].amortized += m.cost.amortized;
      sums[m.line].public_on_demand += m.cost.public_on_demand;
    }
    for (size_t i = 0; i < shared.lines.size(); ++i) EXPECT_EQ(sums[i], shared.lines[i].cost);
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
