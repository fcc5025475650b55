#include <gtest/gtest.h>

#include "rebill/report/detail.h"
#include "rebill/report/render.h"
#include "testing/status_matchers.h"

namespace rebill::report {
namespace {

CustomerDetail Detail() {
  CustomerDetail d;
  d.period = BillingPeriod::Parse("2026-10").value();
  d.customer = "globex";
  d.customer_name = "Globex, Inc.";
  d.currency = "EUR";
  d.issuer = "Northwind Cloud GmbH";
  DetailLine usage;
  usage.payer_account = "999999999999";
  usage.usage_account = "222222222222";
  usage.service = "AmazonEC2";
  usage.billing_entity = "AWS";
  usage.line_item_type = "Usage";
  usage.usage_type = "BoxUsage:m5.large";
  usage.operation = "RunInstances";
  usage.region = "eu-central-1";
  usage.description = "$0.096 per On Demand Linux m5.large Instance Hour";
  usage.usage_start = ParseTimestamp("2026-10-02T00:00:00Z").value();
  usage.usage_end = ParseTimestamp("2026-10-02T01:00:00Z").value();
  usage.usage_amount = D("1");
  usage.pricing_unit = "Hrs";
  usage.list_cost = D("0.088454");
  usage.amount = D("0.0973");
  usage.rule = "std: markup 10%";
  d.lines.push_back(usage);
  DetailLine fee;
  fee.kind = StatementLineKind::kFee;
  fee.service = "Managed services";
  fee.description = "Managed services";
  fee.amount = D("100");
  fee.rule = "fee 8%";
  d.lines.push_back(fee);
  DetailLine tax;
  tax.kind = StatementLineKind::kTax;
  tax.category = ChargeCategory::kTax;
  tax.service = "VAT";
  tax.description = "VAT 19% (DE) on 100.10";
  tax.amount = D("19.019");
  d.lines.push_back(tax);
  return d;
}

TEST(RenderDetailTest, CsvHasOneRowPerLineWithPreciseAmounts) {
  const std::string csv = RenderDetailCsv(Detail());
  EXPECT_EQ(csv,
            "period,customer,currency,kind,category,payer_account,usage_account,service,"
            "service_name,line_item_type,usage_type,operation,region,description,usage_start,"
            "usage_end,usage_amount,pricing_unit,list_cost,amount,rule\n"
            "2026-10,globex,EUR,charge,usage,999999999999,222222222222,AmazonEC2,"
            "Amazon Elastic Compute Cloud,Usage,BoxUsage:m5.large,RunInstances,eu-central-1,"
            "$0.096 per On Demand Linux m5.large Instance Hour,2026-10-02T00:00:00Z,"
            "2026-10-02T01:00:00Z,1,Hrs,0.088454,0.0973,std: markup 10%\n"
            "2026-10,globex,EUR,fee,usage,,,Managed services,Managed services,,,,,"
            "Managed services,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,0,,0,100,fee 8%\n"
            "2026-10,globex,EUR,tax,tax,,,VAT,VAT,,,,,VAT 19% (DE) on 100.10,"
            "2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,0,,0,19.019,\n");
}

TEST(RenderDetailTest, FocusUsesFocusColumnsAndCategories) {
  const std::string focus = RenderFocusCsv(Detail());
  EXPECT_EQ(focus,
            "BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodStart,"
            "BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeDescription,"
            "BilledCost,EffectiveCost,ListCost,ContractedCost,ConsumedQuantity,ConsumedUnit,"
            "InvoiceIssuerName,ProviderName,PublisherName,RegionId,ServiceName,SubAccountId,"
            "x_LineItemType,x_UsageType,x_Operation,x_PricingRule\n"
            "globex,\"Globex, Inc.\",EUR,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,"
            "2026-10-02T00:00:00Z,2026-10-02T01:00:00Z,Usage,"
            "$0.096 per On Demand Linux m5.large Instance Hour,0.0973,0.0973,0.088454,0.0973,1,"
            "Hrs,Northwind Cloud GmbH,Amazon Web Services,Amazon Web Services,eu-central-1,"
            "Amazon Elastic Compute Cloud,222222222222,Usage,BoxUsage:m5.large,RunInstances,"
            "std: markup 10%\n"
            "globex,\"Globex, Inc.\",EUR,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,"
            "2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Purchase,Managed services,100,100,0,100,,,"
            "Northwind Cloud GmbH,Northwind Cloud GmbH,Northwind Cloud GmbH,,Managed services,,,,,"
            "fee 8%\n"
            "globex,\"Globex, Inc.\",EUR,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,"
            "2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Tax,VAT 19% (DE) on 100.10,19.019,19.019,"
            "0,19.019,,,Northwind Cloud GmbH,Northwind Cloud GmbH,Northwind Cloud GmbH,,VAT,,,,,"
            "\n");
}

TEST(RenderJsonTest, StatementsStoredBeforeTheHeaderReadWithDefaults) {
  const std::string old = R"json({"period": "2026-09", "reseller": "Northwind",
    "statements": [{"customer": "acme", "customer_name": "Acme", "currency": "USD",
      "status": "final", "invoice_number": "NW-7", "period": "2026-09",
      "lines": [{"kind": "charge", "service": "AmazonS3", "description": "S3",
                 "list_amount": "1.00", "precise": "1.1", "amount": "1.10", "rule": "r"}],
      "subtotal": "1.10", "fees": "0.00", "credits": "0.00", "tax": "0.00", "total": "1.10",
      "rounding_residue": "0.00", "policy_note": "", "fx": null, "customer_credits": []}]})json";
  ASSERT_OK_AND_ASSIGN(StatementSet set, ParseStatementsJson(old));
  const Statement& s = set.statements[0];
  EXPECT_EQ(s.invoice_number, "NW-7");
  EXPECT_EQ(s.language, "en");
  EXPECT_EQ(s.lines_by, "service");
  EXPECT_EQ(s.branding, Branding());
  EXPECT_EQ(s.issuer, Party());
  EXPECT_TRUE(s.daily.empty());
  EXPECT_EQ(s.lines[0].account, "");
}

}  // namespace
}  // namespace rebill::report
