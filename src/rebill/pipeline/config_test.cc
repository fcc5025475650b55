#include "rebill/pipeline/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/status_matchers.h"

namespace rebill::pipeline {
namespace {

constexpr const char* kBase = R"toml(
[reseller]
name = "Northwind Cloud"
currency = "USD"

[[price_plan]]
id = "standard"
rules = [{ scope = "global", type = "markup", percent = "2.5" }]
)toml";

Result<WorkspaceConfig> Parse(const std::string& extra) {
  return ParseConfig(std::string(kBase) + extra, "rebill.toml");
}

TEST(ParseConfig, DefaultConfigParses) {
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig config, ParseConfig(DefaultConfigText(), "rebill.toml"));
  EXPECT_EQ(config.reseller_name, "Example Reseller");
  EXPECT_EQ(PolicyFor(config, BillingPeriod::Make(2026, 10).value()).cost_view,
            CostView::kAmortized);
  EXPECT_EQ(config.sha256.size(), 64u);
}

TEST(ParseConfig, CustomersAccountsAndPlans) {
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig config, Parse(R"toml(
[[customer]]
id = "globex"
name = "Globex"
price_plan = "standard"
rounding = "half-even"
accounts = ["011111111111", { id = "222222222222", from = "2026-03-14T00:00:00Z" }]
)toml"));
  ASSERT_EQ(config.accounts.assignments.size(), 2u);
  EXPECT_EQ(config.accounts.assignments[0].account, "011111111111");
  EXPECT_EQ(config.accounts.assignments[1].from, TimestampFromCivil(2026, 3, 14));
  EXPECT_EQ(config.accounts.assignments[1].config_key, "customer[0].accounts[1]");
  ASSERT_EQ(config.prices.customers.size(), 1u);
  ASSERT_EQ(config.prices.customers[0].plans.size(), 1u);
  EXPECT_EQ(config.prices.customers[0].plans[0].plan, "standard");
  EXPECT_EQ(config.prices.plans.at("standard").rules[0].percent, D("2.5"));
  EXPECT_EQ(config.statements.customers[0].rounding, RoundingMode::kHalfEven);
  EXPECT_EQ(config.statements.customers[0].currency, "USD");
}

TEST(ParseConfig, ErrorsNameTheKey) {
  EXPECT_STATUS(Parse("[[customer]]\nid = \"a\"\nprice_plan = \"gold\"\n"),
                StatusCode::kInvalidInput,
                "customer[0].price_plan: 'gold' is not a [[price_plan]] id");
  EXPECT_STATUS(
      Parse("[[customer]]\nid = \"a\"\nprice_plan = \"standard\"\naccounts = [\"12345\"]\n"),
      StatusCode::kInvalidInput, "customer[0].accounts[0]");
  EXPECT_STATUS(Parse("[[customer]]\nid = \"a\"\nprice_plan = \"standard\"\ncurrency = \"XYZ\"\n"),
                StatusCode::kInvalidInput, "customer[0].currency");
  EXPECT_STATUS(Parse("[[customer]]\nid = \"a\"\nprice_plan = \"standard\"\ncolour = \"red\"\n"),
                StatusCode::kInvalidInput, "customer[0].colour: is not a known setting");
  EXPECT_STATUS(Parse("[policy]\ncommitments = \"fair\"\n"), StatusCode::kInvalidInput,
                "policy.commitments");
  EXPECT_STATUS(
      Parse("[[price_plan]]\nid = \"f\"\nrules = [{ type = \"markup\", percent = 2.5 }]\n"),
      StatusCode::kInvalidInput, "price_plan[1].rules[0].percent: write the number as a string");
  EXPECT_STATUS(
      Parse("[[price_plan]]\nid = \"n\"\nrules = [{ type = \"markup\", percent = \"-1\" }]\n"),
      StatusCode::kInvalidInput, "price_plan[1].rules[0].percent: must not be negative");
  EXPECT_STATUS(ParseConfig("[reseller\n", "bad.toml"), StatusCode::kInvalidInput, "bad.toml:1:");
  EXPECT_STATUS(ParseConfig("[policy]\n", "r.toml"), StatusCode::kInvalidInput,
                "reseller: is missing");
}

TEST(ParseConfig, IngestRejectLimits) {
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig none, Parse(""));
  EXPECT_FALSE(none.max_rejected_rows.has_value());
  EXPECT_FALSE(none.max_rejected_percent.has_value());
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig both, Parse(R"toml(
[ingest]
max_rejected_rows = 25
max_rejected_percent = "0.5"
)toml"));
  EXPECT_EQ(both.max_rejected_rows, 25u);
  EXPECT_EQ(both.max_rejected_percent, Decimal::Parse("0.5").value());

  for (const auto& [text, key] : std::vector<std::pair<std::string, std::string>>{
           {"[ingest]\nmax_rejected_rows = -1\n", "ingest.max_rejected_rows"},
           {"[ingest]\nmax_rejected_rows = \"ten\"\n", "ingest.max_rejected_rows"},
           {"[ingest]\nmax_rejected_percent = \"101\"\n", "ingest.max_rejected_percent"},
           {"[ingest]\nmax_rejected_percent = 0.5\n", "ingest.max_rejected_percent"},
           {"[ingest]\nmax_rejects = 3\n", "ingest.max_rejects"}}) {
    Result<WorkspaceConfig> bad = Parse(text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(bad.status().message().find("rebill.toml: " + key), std::string::npos)
        << bad.status().message();
  }
}

TEST(ParseConfig, StoreUrlIsAPostgresUrl) {
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig none, Parse(""));
  EXPECT_EQ(none.store_url, "");
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig config, Parse(R"toml(
[store]
url = "postgresql://billing@db.internal/rebill"
)toml"));
  EXPECT_EQ(config.store_url, "postgresql://billing@db.internal/rebill");
  EXPECT_STATUS(Parse("[store]\nurl = \"mysql://db/rebill\"\n"), StatusCode::kInvalidInput,
                "rebill.toml: store.url: 'mysql://db/rebill' is not a postgresql:// URL");
  EXPECT_STATUS(Parse("[store]\nuri = \"postgresql://db/rebill\"\n"), StatusCode::kInvalidInput,
                "store.uri: is not a known setting");
  EXPECT_STATUS(Parse("[store]\n"), StatusCode::kInvalidInput, "store.url: is missing");
}

TEST(ParseConfig, OverlappingAssignmentsAreAConfigurationError) {
  EXPECT_STATUS(Parse(R"toml(
[[customer]]
id = "a"
price_plan = "standard"
accounts = ["333333333333"]

[[customer]]
id = "b"
price_plan = "standard"
accounts = [{ id = "333333333333", from = "2026-10-14T00:00:00Z" }]
)toml"),
                StatusCode::kInvalidInput, "customer[0].accounts[0] and customer[1].accounts[0]");
}

TEST(ParseConfig, PolicyChangesApplyFromTheirPeriodOnly) {
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig config, Parse(R"toml(
[policy]
commitments = "pro-rata"
unused_commitment = "owner"

[[policy.change]]
from = "2026-07"
commitments = "split"
commitment_share = "40"

[[policy.change]]
from = "2026-10"
credits = "retained"

[[commitment]]
arn = "arn:sp-1"
policy = "originating"
from = "2026-08"
to = "2026-08"

[[customer]]
id = "globex"
price_plan = "standard"
commitments = "reseller-retained"

[[credit_rule]]
description = "AWS Activate*"
customer = "globex"
)toml"));
  auto june = PolicyFor(config, BillingPeriod::Make(2026, 6).value());
  auto july = PolicyFor(config, BillingPeriod::Make(2026, 7).value());
  auto august = PolicyFor(config, BillingPeriod::Make(2026, 8).value());
  auto october = PolicyFor(config, BillingPeriod::Make(2026, 10).value());
  EXPECT_EQ(june.commitments.policy, allocate::CommitmentPolicy::kProRata);
  EXPECT_EQ(july.commitments.policy, allocate::CommitmentPolicy::kSplit);
  EXPECT_EQ(july.commitments.passed_percent, D("40"));
  EXPECT_EQ(july.unused_commitment, allocate::UnusedCommitmentPolicy::kOwner);  // carried over
  EXPECT_EQ(july.credits, allocate::CreditPolicy::kAsApplied);
  EXPECT_EQ(october.credits, allocate::CreditPolicy::kRetained);
  EXPECT_EQ(october.commitments.policy, allocate::CommitmentPolicy::kSplit);
  EXPECT_TRUE(july.by_commitment.empty());
  ASSERT_EQ(august.by_commitment.count("arn:sp-1"), 1u);
  EXPECT_EQ(august.by_commitment.at("arn:sp-1").policy, allocate::CommitmentPolicy::kOriginating);
  EXPECT_TRUE(october.by_commitment.empty());
  EXPECT_EQ(june.by_customer.at("globex").policy, allocate::CommitmentPolicy::kResellerRetained);
  ASSERT_EQ(june.credit_rules.size(), 1u);
  EXPECT_EQ(june.credit_rules[0].customer, "globex");
}

TEST(ParseConfig, PolicyErrorsNameTheKey) {
  EXPECT_STATUS(Parse("[policy]\nunused_commitment = \"nobody\"\n"), StatusCode::kInvalidInput,
                "policy.unused_commitment: unknown unused commitment policy 'nobody'");
  EXPECT_STATUS(Parse("[policy]\ncommitment_share = \"140\"\n"), StatusCode::kInvalidInput,
                "policy.commitment_share");
  EXPECT_STATUS(Parse("[policy]\ncredits = 3\n"), StatusCode::kInvalidInput,
                "policy.credits: must be a string");
  EXPECT_STATUS(Parse("[[policy.change]]\nfrom = \"2026-07-15\"\ncommitments = \"split\"\n"),
                StatusCode::kInvalidInput, "policy.change[0].from");
  EXPECT_STATUS(Parse("[[policy.change]]\nfrom = \"2026-07\"\ncost_view = \"unblended\"\n"),
                StatusCode::kInvalidInput, "policy.change[0].cost_view: is not a known setting");
  EXPECT_STATUS(Parse("[[credit_rule]]\ndescription = \"x\"\ncustomer = \"nobody\"\n"),
                StatusCode::kInvalidInput, "credit_rule[0].customer: 'nobody'");
  EXPECT_STATUS(Parse("[[credit_rule]]\ndescription = \"x\"\n"), StatusCode::kInvalidInput,
                "credit_rule[0]: give either customer");
}

TEST(ParseConfig, PriceBook) {
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig config, Parse(R"toml(
[[price_plan]]
id = "premium"
rules = [
  { name = "base", type = "markup", percent = "4" },
  { name = "ec2", scope = "service", service = "AmazonEC2", type = "discount", percent = "3", priority = 2 },
  { name = "storage", service = "AmazonS3", usage_type = "*TimedStorage*", type = "rate", rate = "0.021" },
  { name = "volume", service = "AmazonRDS", type = "tiered", tiers = [{ up_to = "10000", percent = "0" }, { percent = "-5" }] },
  { name = "free-lambda", service = "AWSLambda", type = "free", allowance = "1000000" },
  { name = "team", tag = "user:Team=blue", type = "markup", percent = "1" },
]
fees = [{ name = "Managed services", percent = "8", minimum = "250", maximum = "5000" }]

[[customer]]
id = "globex"
price_plans = [{ plan = "standard", to = "2026-10-15T00:00:00Z" },
               { plan = "premium", from = "2026-10-15T00:00:00Z" }]
fees = [{ name = "Onboarding", amount = "500", once = "2026-10" }]
tax = { rate = "19", category = "VAT", location = "DE" }

[[customer]]
id = "initech"
price_plan = "premium"
tax_exempt = "Reverse charge (EU B2B)"
)toml"));
  const price::Plan& premium = config.prices.plans.at("premium");
  ASSERT_EQ(premium.rules.size(), 6u);
  EXPECT_EQ(premium.rules[1].priority, 2);
  EXPECT_EQ(premium.rules[2].type, price::RuleType::kRate);
  EXPECT_EQ(premium.rules[3].tiers.size(), 2u);
  EXPECT_FALSE(premium.rules[3].tiers[1].up_to.has_value());
  EXPECT_EQ(premium.rules[5].scope.tag_key, "user:Team");
  EXPECT_EQ(premium.rules[5].scope.tag_value, "blue");
  EXPECT_EQ(premium.fees[0].minimum, D("250"));
  const price::CustomerPricing& globex = config.prices.customers[0];
  ASSERT_EQ(globex.plans.size(), 2u);
  EXPECT_EQ(globex.plans[1].from, TimestampFromCivil(2026, 10, 15));
  EXPECT_EQ(globex.fees[0].once, BillingPeriod::Make(2026, 10).value());
  ASSERT_TRUE(globex.tax.has_value());
  EXPECT_EQ(globex.tax->rate, D("19"));
  EXPECT_EQ(config.prices.customers[1].tax->exempt_reason, "Reverse charge (EU B2B)");
  EXPECT_TRUE(config.warnings.empty());
}

TEST(ParseConfig, PriceBookErrorsNameTheKey) {
  auto plan = [](const std::string& rules) {
    return Parse("[[price_plan]]\nid = \"p\"\nrules = [" + rules + "]\n");
  };
  EXPECT_STATUS(plan("{ type = \"bonus\", percent = \"1\" }"), StatusCode::kInvalidInput,
                "price_plan[1].rules[0].type: 'bonus' is not a rule type");
  EXPECT_STATUS(
      plan("{ service = \"AmazonEc2\", type = \"markup\", percent = \"1\" }"),
      StatusCode::kInvalidInput,
      "price_plan[1].rules[0].service: unknown service 'AmazonEc2'; did you mean 'AmazonEC2'?");
  EXPECT_STATUS(plan("{ service = \"Amazon EC2\", type = \"markup\", percent = \"1\" }"),
                StatusCode::kInvalidInput,
                "price_plan[1].rules[0].service: 'Amazon EC2' is not a product code");
  EXPECT_STATUS(plan("{ scope = \"service\", type = \"markup\", percent = \"1\" }"),
                StatusCode::kInvalidInput, "price_plan[1].rules[0].service: is missing");
  EXPECT_STATUS(plan("{ type = \"discount\", percent = \"-1\" }"), StatusCode::kInvalidInput,
                "price_plan[1].rules[0].percent: must not be negative");
  EXPECT_STATUS(plan("{ type = \"tiered\", tiers = [{ percent = \"0\" }, { up_to = \"5\", percent "
                     "= \"-1\" }] }"),
                StatusCode::kInvalidInput, "price_plan[1].rules[0].tiers[0].up_to");
  EXPECT_STATUS(plan("{ billing_entity = \"AISPL\", type = \"markup\", percent = \"1\" }"),
                StatusCode::kInvalidInput, "price_plan[1].rules[0].billing_entity");
  EXPECT_STATUS(Parse("[[customer]]\nid = \"a\"\nprice_plans = [{ plan = \"standard\" }, { plan = "
                      "\"standard\", from = \"2026-10-15T00:00:00Z\" }]\n"),
                StatusCode::kInvalidInput, "customer[0].price_plans[1]: overlaps");
  EXPECT_STATUS(
      Parse("[[customer]]\nid = \"a\"\nprice_plan = \"standard\"\ntax = { rate = \"120\" }\n"),
      StatusCode::kInvalidInput, "customer[0].tax.rate");
  EXPECT_STATUS(
      Parse("[[customer]]\nid = \"a\"\nprice_plan = \"standard\"\nfees = [{ name = \"x\" }]\n"),
      StatusCode::kInvalidInput, "customer[0].fees[0]: give either amount");
  EXPECT_STATUS(Parse("[[customer]]\nid = \"a\"\n"), StatusCode::kInvalidInput,
                "customer[0].price_plan: give the customer's plan");
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig shadowed,
                       plan("{ name = \"a\", type = \"markup\", percent = \"1\" }, { name = \"b\", "
                            "type = \"discount\", percent = \"1\" }"));
  ASSERT_EQ(shadowed.warnings.size(), 1u);
  EXPECT_NE(shadowed.warnings[0].find("'b' never applies"), std::string::npos);
}

TEST(ParseConfig, MarginCostViewAndAlertThreshold) {
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig unset, Parse(""));
  EXPECT_FALSE(unset.margin_cost_view.has_value());
  EXPECT_FALSE(unset.margin_alert_below_percent.has_value());
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig cash, Parse(R"toml(
[margin]
cost_view = "cash"
alert_below_percent = "12.5"
)toml"));
  EXPECT_EQ(cash.margin_cost_view, CostView::kUnblended);
  EXPECT_EQ(cash.margin_alert_below_percent, D("12.5"));
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig amortized, Parse("[margin]\ncost_view = \"amortized\"\n"));
  EXPECT_EQ(amortized.margin_cost_view, CostView::kAmortized);

  EXPECT_STATUS(Parse("[margin]\ncost_view = \"unblended\"\n"), StatusCode::kInvalidInput,
                "rebill.toml: margin.cost_view: unknown cost view 'unblended' (use amortized or "
                "cash)");
  EXPECT_STATUS(Parse("[margin]\nalert_below_percent = 12.5\n"), StatusCode::kInvalidInput,
                "margin.alert_below_percent: write the number as a string");
  EXPECT_STATUS(Parse("[margin]\nthreshold = \"5\"\n"), StatusCode::kInvalidInput, "threshold");
}

// A [reseller] with the statement header keys `reseller_keys`, and one customer with
// `customer_keys`.
Result<WorkspaceConfig> ParseHeader(const std::string& reseller_keys,
                                    const std::string& customer_keys = "",
                                    const std::string& file = "rebill.toml") {
  return ParseConfig("[reseller]\nname = \"Northwind\"\n" + reseller_keys +
                         "\n[[price_plan]]\nid = \"standard\"\n"
                         "rules = [{ type = \"markup\", percent = \"2\" }]\n"
                         "[[customer]]\nid = \"acme\"\nname = \"Acme\"\n"
                         "price_plan = \"standard\"\n" +
                         customer_keys,
                     file);
}

TEST(ParseConfig, StatementHeader) {
  const std::string dir = ::testing::TempDir() + "rebill-header-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/logo.png", std::ios::binary) << std::string("\x89PNG\r\n\x1a\n", 8) << "..";
  ASSERT_OK_AND_ASSIGN(
      WorkspaceConfig config,
      ParseHeader("legal_entity = \"Northwind GmbH\"\naddress = [\"Hafenstr. 1\", \"Hamburg\"]\n"
                  "tax_id = \"DE1\"\nlogo = \"logo.png\"\naccent_colour = \"#AA3300\"\n"
                  "paper = \"Letter\"\nlanguage = \"de\"\n",
                  "address = \"1 Main St\"\ntax_id = \"US-9\"\nlegal_name = \"Acme Inc.\"\n"
                  "lines_by = \"account\"\n",
                  dir + "/rebill.toml"));
  const report::StatementSettings& st = config.statements;
  EXPECT_EQ(st.issuer, (Party{"Northwind GmbH", {"Hafenstr. 1", "Hamburg"}, "DE1"}));
  EXPECT_EQ(st.branding, (Branding{"logo.png", "#aa3300", "Letter"}));
  ASSERT_EQ(st.customers.size(), 1u);
  EXPECT_EQ(st.customers[0].bill_to, (Party{"Acme Inc.", {"1 Main St"}, "US-9"}));
  EXPECT_EQ(st.customers[0].language, "de");  // the reseller's language is the default
  EXPECT_EQ(st.customers[0].lines_by, "account");

  ASSERT_OK_AND_ASSIGN(WorkspaceConfig plain, ParseHeader("", "language = \"zh-CN\"\n"));
  EXPECT_EQ(plain.statements.issuer.name, "Northwind");
  EXPECT_EQ(plain.statements.branding, Branding());
  EXPECT_EQ(plain.statements.customers[0].bill_to.name, "Acme");
  EXPECT_EQ(plain.statements.customers[0].language, "zh-CN");
  EXPECT_EQ(plain.statements.customers[0].lines_by, "service");
}

TEST(ParseConfig, StatementHeaderErrorsNameTheKey) {
  EXPECT_STATUS(ParseHeader("accent_colour = \"blue\"\n"), StatusCode::kInvalidInput,
                "rebill.toml: reseller.accent_colour: 'blue' is not a colour");
  EXPECT_STATUS(ParseHeader("accent_colour = \"#12345g\"\n"), StatusCode::kInvalidInput,
                "reseller.accent_colour");
  EXPECT_STATUS(ParseHeader("logo = \"no-such-logo.png\"\n"), StatusCode::kInvalidInput,
                "rebill.toml: reseller.logo: cannot read");
  const std::string dir = ::testing::TempDir() + "rebill-header-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/logo.jpg", std::ios::binary) << "\xff\xd8\xff\xe0 not a png";
  EXPECT_STATUS(ParseHeader("logo = \"logo.jpg\"\n", "", dir + "/rebill.toml"),
                StatusCode::kInvalidInput, "reseller.logo: '" + dir + "/logo.jpg' is not a PNG");
  EXPECT_STATUS(ParseHeader("paper = \"A5\"\n"), StatusCode::kInvalidInput,
                "reseller.paper: 'A5' is not a paper size");
  EXPECT_STATUS(ParseHeader("language = \"fr\"\n"), StatusCode::kInvalidInput,
                "reseller.language: 'fr' is not a statement language (known: de, en, zh-CN)");
  EXPECT_STATUS(ParseHeader("", "language = \"xx\"\n"), StatusCode::kInvalidInput,
                "customer[0].language");
  EXPECT_STATUS(ParseHeader("", "lines_by = \"team\"\n"), StatusCode::kInvalidInput,
                "customer[0].lines_by: 'team' is not a line grouping");
  EXPECT_STATUS(ParseHeader("address = 5\n"), StatusCode::kInvalidInput, "reseller.address");
}

TEST(ParseConfig, DuplicateCustomerIsAnError) {
  EXPECT_STATUS(Parse("[[customer]]\nid = \"a\"\nprice_plan = \"standard\"\n"
                      "[[customer]]\nid = \"a\"\nprice_plan = \"standard\"\n"),
                StatusCode::kInvalidInput, "customer[1].id: customer 'a' is defined twice");
}

TEST(ParseConfig, InvoiceSettings) {
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig defaults, Parse(""));
  EXPECT_EQ(defaults.invoice.number_format, "INV-{year}-{seq:05}");
  EXPECT_EQ(defaults.invoice.payment_terms_days, 30);
  EXPECT_FALSE(defaults.invoice.corrections_as_notes);
  ASSERT_OK_AND_ASSIGN(WorkspaceConfig config, Parse(R"toml(
[invoice]
number_format = "NW-{year}{month}-{seq:06}"
credit_note_format = "NWC-{seq}"
payment_terms_days = 14
corrections = "note"
)toml"));
  EXPECT_EQ(config.invoice.number_format, "NW-{year}{month}-{seq:06}");
  EXPECT_EQ(config.invoice.credit_note_format, "NWC-{seq}");
  EXPECT_EQ(config.invoice.debit_note_format, "DN-{year}-{seq:05}");
  EXPECT_EQ(config.invoice.payment_terms_days, 14);
  EXPECT_TRUE(config.invoice.corrections_as_notes);
}

TEST(ParseConfig, InvoiceErrorsNameTheKey) {
  EXPECT_STATUS(Parse("[invoice]\nnumber_format = \"INV-{year}\"\n"), StatusCode::kInvalidInput,
                "rebill.toml: invoice.number_format: 'INV-{year}'");
  EXPECT_STATUS(Parse("[invoice]\ncredit_note_format = \"C-{sequence}\"\n"),
                StatusCode::kInvalidInput, "invoice.credit_note_format");
  EXPECT_STATUS(Parse("[invoice]\ncredit_note_format = \"INV-{year}-{seq:05}\"\n"),
                StatusCode::kInvalidInput, "different number formats");
  EXPECT_STATUS(Parse("[invoice]\npayment_terms_days = -1\n"), StatusCode::kInvalidInput,
                "invoice.payment_terms_days");
  EXPECT_STATUS(Parse("[invoice]\npayment_terms_days = \"30\"\n"), StatusCode::kInvalidInput,
                "invoice.payment_terms_days");
  EXPECT_STATUS(Parse("[invoice]\ncorrections = \"later\"\n"), StatusCode::kInvalidInput,
                "invoice.corrections: 'later'");
  EXPECT_STATUS(Parse("[invoice]\nnumber_fromat = \"X-{seq}\"\n"), StatusCode::kInvalidInput,
                "invoice.number_fromat");
}

}  // namespace
}  // namespace rebill::pipeline
