#include "rebill/report/lifecycle.h"

#include <gtest/gtest.h>

#include <string>

#include "rebill/report/render.h"
#include "testing/status_matchers.h"

namespace rebill::report {
namespace {

const BillingPeriod kOctober = BillingPeriod::Parse("2026-10").value();

TEST(InvoiceNumberTest, FormatsYearMonthAndPaddedSequence) {
  ASSERT_OK_AND_ASSIGN(std::string n, FormatInvoiceNumber("INV-{year}-{seq:05}", kOctober, 7));
  EXPECT_EQ(n, "INV-2026-00007");
  ASSERT_OK_AND_ASSIGN(n, FormatInvoiceNumber("{year}{month}.{seq:03}", kOctober, 123));
  EXPECT_EQ(n, "202610.123");
}

TEST(InvoiceNumberTest, PlainSequenceAndWidthOverflow) {
  ASSERT_OK_AND_ASSIGN(std::string n, FormatInvoiceNumber("NW{year}{month}-{seq}", kOctober, 42));
  EXPECT_EQ(n, "NW202610-42");
  // A sequence longer than the width is not truncated: numbers stay distinct.
  ASSERT_OK_AND_ASSIGN(n, FormatInvoiceNumber("CN-{seq:03}", kOctober, 12345));
  EXPECT_EQ(n, "CN-12345");
}

TEST(InvoiceNumberTest, RejectsFormatsThatCouldRepeatOrAreMalformed) {
  EXPECT_STATUS(CheckNumberFormat("INV-{year}"), StatusCode::kInvalidInput, "{seq}");
  EXPECT_STATUS(CheckNumberFormat("{seq}-{seq}"), StatusCode::kInvalidInput, "exactly once");
  EXPECT_STATUS(CheckNumberFormat("INV-{yr}-{seq}"), StatusCode::kInvalidInput, "'{yr}'");
  EXPECT_STATUS(CheckNumberFormat("INV-{seq:5}"), StatusCode::kInvalidInput, "{seq:5}");
  EXPECT_STATUS(CheckNumberFormat("INV-{seq:0x}"), StatusCode::kInvalidInput, "digits");
  EXPECT_STATUS(CheckNumberFormat("INV-{seq"), StatusCode::kInvalidInput, "never closed");
  EXPECT_STATUS(CheckNumberFormat("INV-}{seq}"), StatusCode::kInvalidInput, "has no '{'");
  EXPECT_STATUS(CheckNumberFormat("INV/{seq}"), StatusCode::kInvalidInput, "slashes");
  EXPECT_STATUS(FormatInvoiceNumber("INV-{seq}", kOctober, 0), StatusCode::kInvalidInput,
                "start at 1");
  EXPECT_OK(CheckNumberFormat("INV-{year}-{month}-{seq:012}"));
}

TEST(AgingTest, BucketsByDaysPastDue) {
  const std::string due = "2026-11-30";
  auto bucket = [&](const char* as_of) { return AgingBucket(due, as_of).value(); };
  EXPECT_EQ(bucket("2026-11-01"), 0u);  // not yet due
  EXPECT_EQ(bucket("2026-11-30"), 0u);  // due today is current
  EXPECT_EQ(bucket("2026-12-01"), 1u);  // 1 day late
  EXPECT_EQ(bucket("2026-12-30"), 1u);  // 30
  EXPECT_EQ(bucket("2026-12-31"), 2u);  // 31
  EXPECT_EQ(bucket("2027-01-29"), 2u);  // 60
  EXPECT_EQ(bucket("2027-01-30"), 3u);  // 61
  EXPECT_EQ(bucket("2027-02-28"), 3u);  // 90
  EXPECT_EQ(bucket("2027-03-01"), 4u);  // 91
  EXPECT_STREQ(kAgingBuckets[bucket("2027-03-01")], "90+");
  EXPECT_STATUS(AgingBucket("30.11.2026", "2026-12-01"), StatusCode::kInvalidInput, "30.11.2026");
}

TEST(AgingTest, InvoiceStates) {
  EXPECT_EQ(StateOf(D("100"), D("0"), "2026-11-30", "2026-11-15", false), InvoiceState::kOpen);
  EXPECT_EQ(StateOf(D("100"), D("40"), "2026-11-30", "2026-11-30", false),
            InvoiceState::kPartiallyPaid);
  EXPECT_EQ(StateOf(D("100"), D("40"), "2026-11-30", "2026-12-01", false), InvoiceState::kOverdue);
  EXPECT_EQ(StateOf(D("100"), D("100"), "2026-11-30", "2027-12-01", false), InvoiceState::kPaid);
  EXPECT_EQ(StateOf(D("-20"), D("0"), "2026-11-30", "2027-12-01", false), InvoiceState::kPaid);
  EXPECT_EQ(StateOf(D("100"), D("0"), "2026-11-30", "2026-11-01", true), InvoiceState::kVoid);
}

Statement Sample(const std::string& customer, const char* ec2, const char* s3) {
  Statement s;
  s.customer = customer;
  s.currency = "USD";
  s.period = kOctober;
  for (auto [service, amount] : {std::pair{"AmazonEC2", ec2}, std::pair{"AmazonS3", s3}}) {
    StatementLine l;
    l.service = service;
    l.description = service;
    l.amount = D(amount);
    l.precise = l.amount;
    s.lines.push_back(l);
    s.subtotal += l.amount;
    s.total += l.amount;
  }
  return s;
}

TEST(DiffTest, ReportsChangedLinesPerCustomer) {
  StatementSet before, after;
  before.statements = {Sample("acme", "10.00", "5.00"), Sample("globex", "1.00", "1.00")};
  after.statements = {Sample("acme", "10.00", "3.50"), Sample("globex", "1.00", "1.00"),
                      Sample("initech", "2.00", "0.00")};
  before.statements[0].invoice_number = "INV-2026-00001";
  std::vector<StatementChange> changes = DiffStatements(before, after);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].customer, "acme");
  EXPECT_EQ(changes[0].invoice_number, "INV-2026-00001");
  ASSERT_EQ(changes[0].lines.size(), 1u);
  EXPECT_EQ(changes[0].lines[0].service, "AmazonS3");
  EXPECT_EQ(changes[0].lines[0].Delta(), D("-1.50"));
  EXPECT_EQ(changes[0].total_after - changes[0].total_before, D("-1.50"));
  EXPECT_EQ(changes[1].customer, "initech");
  EXPECT_TRUE(changes[1].added);
  EXPECT_TRUE(DiffStatements(after, after).empty());
}

TEST(AdjustmentTest, AdjustmentLinesKeepTheStatementAddingUpAndRoundTrip) {
  Statement s = Sample("acme", "10.00", "5.00");
  StatementLine adj;
  adj.kind = StatementLineKind::kAdjustment;
  adj.service = "AmazonS3";
  adj.description = "Correction of 2026-09 (INV-2026-00001): AmazonS3";
  adj.amount = D("-1.50");
  adj.precise = adj.amount;
  adj.original_invoice = "INV-2026-00001";
  adj.reason = "restated CUR delivery";
  ASSERT_OK(AddAdjustmentLines(s, {adj}));
  EXPECT_EQ(s.adjustments, D("-1.50"));
  EXPECT_EQ(s.total, D("13.50"));
  StatementLine charge = adj;
  charge.kind = StatementLineKind::kCharge;
  EXPECT_STATUS(AddAdjustmentLines(s, {charge}), StatusCode::kInternal, "adjustment");

  // The stored form reads back exactly, and renders to the same bytes again.
  s.status = StatementStatus::kFinal;
  s.invoice_number = "INV-2026-00002";
  s.issued = "2026-11-05";
  s.due_date = "2026-12-05";
  s.account = AccountSummary{D("100.00"), D("40.00"), D("73.50")};
  StatementSet set;
  set.period = kOctober;
  set.reseller = "Northwind";
  set.statements = {s};
  const std::string json = RenderJson(set);
  ASSERT_OK_AND_ASSIGN(StatementSet parsed, ParseStatementsJson(json));
  EXPECT_EQ(parsed, set);
  EXPECT_EQ(RenderJson(parsed), json);
  EXPECT_EQ(RenderCsv(parsed), RenderCsv(set));
  EXPECT_EQ(RenderHtml(parsed.statements[0]), RenderHtml(set.statements[0]));
}

}  // namespace
}  // namespace rebill::report
