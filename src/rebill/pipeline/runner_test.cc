#include "rebill/pipeline/runner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "rebill/pipeline/demo.h"
#include "rebill/report/render.h"
#include "testing/status_matchers.h"

namespace rebill::pipeline {
namespace {
namespace fs = std::filesystem;

class Workspace : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rebill-runner-test-XXXXXX";
    dir_ = std::string(::mkdtemp(tmpl)) + "/ws";
  }
  void TearDown() override { fs::remove_all(fs::path(dir_).parent_path()); }
  std::string dir_;
  const Timestamp now_ = TimestampFromCivil(2026, 11, 5, 9);
};

TEST_F(Workspace, DemoRunsEndToEndWithEveryInvariant) {
  ASSERT_OK_AND_ASSIGN(DemoResult demo, WriteDemoWorkspace(dir_));
  ASSERT_OK_AND_ASSIGN(IngestSummary ingested, IngestFiles(dir_, {demo.cur_path}, now_, "t"));
  ASSERT_EQ(ingested.months.size(), 1u);
  EXPECT_EQ(ingested.months[0].action, "new");
  ASSERT_OK_AND_ASSIGN(RunOutcome run, RunPeriod(dir_, demo.period, now_, "t"));
  EXPECT_TRUE(run.reconciliation.balanced);
  ASSERT_EQ(run.statements.statements.size(), 3u);
  std::vector<std::string> names;
  for (const auto& [name, result] : run.invariants) {
    names.push_back(name);
    EXPECT_EQ(result, "ok");
  }
  EXPECT_EQ(names.size(), 5u);
  // The Unassigned account's spend is visible, not dropped, and raises an alert.
  ASSERT_EQ(run.reconciliation.payers.size(), 1u);
  EXPECT_GT(run.reconciliation.payers[0].unassigned, Decimal());
  EXPECT_GT(run.reconciliation.payers[0].reseller_retained, Decimal());
  bool unassigned_alert = false;
  for (const Alert& a : run.margin.alerts) {
    unassigned_alert = unassigned_alert || a.kind == AlertKind::kUnassignedSpend;
  }
  EXPECT_TRUE(unassigned_alert);
  // What `rebill margin` reads back is what the run computed.
  ASSERT_OK_AND_ASSIGN(MarginReport recorded, RecordedMargin(dir_, demo.period, demo.period));
  EXPECT_EQ(recorded.by_customer, run.margin.by_customer);
  EXPECT_EQ(recorded.total_waterfall, run.margin.total_waterfall);
  EXPECT_EQ(recorded.alerts, run.margin.alerts);

  // Re-running is reproducible: same statements, a new run id.
  ASSERT_OK_AND_ASSIGN(RunOutcome again, RunPeriod(dir_, demo.period, now_, "t"));
  EXPECT_EQ(report::RenderJson(again.statements), report::RenderJson(run.statements));
  EXPECT_GT(again.run_id, run.run_id);
  ASSERT_OK_AND_ASSIGN(store::RunRecord latest, LatestRun(dir_, demo.period));
  EXPECT_EQ(latest.id, again.run_id);
}

// [margin] cost_view = "cash": customers are still priced on the amortized cost basis, the true
// cost is in the unblended view, and the revenue does not change.
TEST_F(Workspace, MarginInTheCashView) {
  ASSERT_OK_AND_ASSIGN(DemoResult demo, WriteDemoWorkspace(dir_));
  ASSERT_OK_AND_ASSIGN(IngestSummary ingested, IngestFiles(dir_, {demo.cur_path}, now_, "t"));
  ASSERT_OK_AND_ASSIGN(RunOutcome amortized, RunPeriod(dir_, demo.period, now_, "t"));
  std::ofstream(dir_ + "/rebill.toml", std::ios::app)
      << "\n[margin]\ncost_view = \"cash\"\nalert_below_percent = \"99\"\n";
  ASSERT_OK_AND_ASSIGN(RunOutcome cash, RunPeriod(dir_, demo.period, now_, "t"));
  EXPECT_EQ(amortized.margin.cost_view, CostView::kAmortized);
  EXPECT_EQ(cash.margin.cost_view, CostView::kUnblended);
  EXPECT_EQ(cash.margin.basis_cost_view, CostView::kAmortized);
  EXPECT_EQ(cash.margin.total.revenue, amortized.margin.total.revenue);
  EXPECT_EQ(cash.margin.total.cost_basis, amortized.margin.total.cost_basis);
  EXPECT_EQ(cash.statements, amortized.statements);
  size_t low = 0;
  for (const Alert& a : cash.margin.alerts) low += a.kind == AlertKind::kLowMargin;
  EXPECT_GT(low, 0u);  // every customer earns less than 99%
  // A range needs a run of every period in it.
  ASSERT_OK_AND_ASSIGN(MarginReport recorded, RecordedMargin(dir_, demo.period, demo.period));
  EXPECT_EQ(recorded.cost_view, CostView::kUnblended);
  EXPECT_STATUS(RecordedMargin(dir_, demo.period, demo.period.Next()),
                StatusCode::kFailedPrecondition, demo.period.Next().ToString());
}

TEST_F(Workspace, BadInputLeavesTheWorkspaceUnchanged) {
  ASSERT_OK_AND_ASSIGN(DemoResult demo, WriteDemoWorkspace(dir_));
  ASSERT_OK_AND_ASSIGN(IngestSummary ingested, IngestFiles(dir_, {demo.cur_path}, now_, "t"));
  std::string bad = fs::path(dir_).parent_path().string() + "/bad.csv";
  {
    std::string text = DemoCurCsv();
    size_t cost = text.find(",0.25,");  // the first Lambda cost
    ASSERT_NE(cost, std::string::npos);
    text.replace(cost, 6, ",0.2x5,");
    std::ofstream(bad) << text;
  }
  EXPECT_STATUS(IngestFiles(dir_, {bad}, now_, "t"), StatusCode::kInvalidInput, "bad.csv");
  ASSERT_OK_AND_ASSIGN(auto store, store::Store::Open(dir_ + "/rebill.db"));
  ASSERT_OK_AND_ASSIGN(auto months, store->MonthsOf("2026-10"));
  ASSERT_EQ(months.size(), 1u);
  EXPECT_EQ(months[0].sources[0].sha256, ingested.files[0].sha256);
}

TEST_F(Workspace, RejectLimitsSkipMalformedRowsAndKeepThem) {
  ASSERT_OK_AND_ASSIGN(DemoResult demo, WriteDemoWorkspace(dir_));
  std::string bad = fs::path(dir_).parent_path().string() + "/bad.csv";
  std::string text = DemoCurCsv();
  size_t cost = text.find(",0.25,");
  ASSERT_NE(cost, std::string::npos);
  text.replace(cost, 6, ",0.2x5,");
  std::ofstream(bad) << text;

  // One malformed row, one allowed: the ingest goes through without that row.
  std::ofstream(dir_ + "/rebill.toml", std::ios::app) << "\n[ingest]\nmax_rejected_rows = 1\n";
  ASSERT_OK_AND_ASSIGN(IngestSummary skipped, IngestFiles(dir_, {bad}, now_, "t"));
  ASSERT_EQ(skipped.rejects.size(), 1u);
  EXPECT_EQ(skipped.rejects[0].column, "lineItem/UnblendedCost");
  EXPECT_EQ(skipped.rejects[0].raw_text, "0.2x5");
  EXPECT_EQ(skipped.rejects[0].kind, "malformed value");
  ASSERT_EQ(skipped.months.size(), 1u);
  EXPECT_EQ(skipped.months[0].rows, skipped.rows_read - 1);
  ASSERT_OK_AND_ASSIGN(auto store, store::Store::Open(dir_ + "/rebill.db"));
  ASSERT_OK_AND_ASSIGN(std::vector<Reject> kept, store->RejectsOfLatestIngest());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].file, bad);
  EXPECT_EQ(kept[0].row, skipped.rejects[0].row);
  EXPECT_EQ(kept[0].reason, skipped.rejects[0].reason);

  // The good file replaces the month; with no reject this ingest keeps none.
  ASSERT_OK_AND_ASSIGN(IngestSummary good, IngestFiles(dir_, {demo.cur_path}, now_, "t"));
  EXPECT_EQ(good.months[0].action, "replaced");
  EXPECT_EQ(good.months[0].rows, good.rows_read);
  ASSERT_OK_AND_ASSIGN(kept, store->RejectsOfLatestIngest());
  EXPECT_TRUE(kept.empty());
}

TEST_F(Workspace, TheStoreIsTheOptionElseTheConfigElseTheWorkspaceFile) {
  ASSERT_OK(InitWorkspace(dir_));
  WorkspacePaths ws(dir_);
  ASSERT_OK_AND_ASSIGN(std::string uri, StoreUri(ws));
  EXPECT_EQ(uri, dir_ + "/rebill.db");
  std::ofstream(ws.config, std::ios::app)
      << "\n[store]\nurl = \"postgresql://billing@db/rebill\"\n";
  ASSERT_OK_AND_ASSIGN(uri, StoreUri(ws));
  EXPECT_EQ(uri, "postgresql://billing@db/rebill");
  ASSERT_OK(UseStore(dir_ + "/other.db"));
  ASSERT_OK_AND_ASSIGN(uri, StoreUri(ws));
  EXPECT_EQ(uri, dir_ + "/other.db");
  EXPECT_STATUS(UseStore("mysql://db/rebill"), StatusCode::kInvalidInput, "postgresql://");
  ASSERT_OK(UseStore(""));
  ASSERT_OK_AND_ASSIGN(uri, StoreUri(ws));
  EXPECT_EQ(uri, "postgresql://billing@db/rebill");
}

TEST_F(Workspace, ARunWaitsForNoOneHoldingItsPeriod) {
  ASSERT_OK_AND_ASSIGN(DemoResult demo, WriteDemoWorkspace(dir_));
  ASSERT_OK(::rebill::testing::StatusOf(IngestFiles(dir_, {demo.cur_path}, now_, "t")));
  // Another command (here: another connection) working on the period.
  ASSERT_OK_AND_ASSIGN(auto other, store::Store::Open(dir_ + "/rebill.db"));
  ASSERT_OK(other->LockPeriod(demo.period.ToString()));
  EXPECT_STATUS(RunPeriod(dir_, demo.period, now_, "t"), StatusCode::kConflict,
                "another rebill command is working on 2026-10");
  EXPECT_STATUS(IngestFiles(dir_, {demo.cur_path}, now_, "t"), StatusCode::kConflict,
                "another rebill command is working on 2026-10");
  ASSERT_OK_AND_ASSIGN(int64_t runs, other->CountRuns());
  EXPECT_EQ(runs, 0);
  other.reset();
  ASSERT_OK(::rebill::testing::StatusOf(RunPeriod(dir_, demo.period, now_, "t")));
}

TEST_F(Workspace, RunWithoutIngestIsAPreconditionFailure) {
  ASSERT_OK(InitWorkspace(dir_));
  EXPECT_STATUS(RunPeriod(dir_, BillingPeriod::Make(2026, 10).value(), now_, "t"),
                StatusCode::kFailedPrecondition, "nothing is ingested for 2026-10");
  EXPECT_STATUS(LatestRun(dir_, BillingPeriod::Make(2026, 10).value()),
                StatusCode::kFailedPrecondition, "rebill run --period 2026-10");
  EXPECT_STATUS(InitWorkspace(dir_), StatusCode::kAlreadyExists, "rebill.toml");
}

// Rows are aggregated per day, but never across a time at which the configuration moves an
// account: each owner pays for exactly the hours in its window. Moving the time afterwards needs
// the month ingested again, and says so.
TEST_F(Workspace, AggregatedDaysAreCutWhereAnAccountMoves) {
  ASSERT_OK(InitWorkspace(dir_));
  auto configure = [&](const std::string& at) {
    std::ofstream(dir_ + "/rebill.toml", std::ios::trunc)
        << "[reseller]\nname = \"R\"\ncurrency = \"USD\"\n"
        << "[[price_plan]]\nid = \"up\"\nrules = [{ type = \"markup\", percent = \"10\" }]\n"
        << "[[price_plan]]\nid = \"down\"\nrules = [{ type = \"discount\", percent = \"5\" }]\n"
        << "[[customer]]\nid = \"alpha\"\nname = \"Alpha\"\nprice_plan = \"up\"\n"
        << "accounts = [{ id = \"333333333333\", to = \"" << at << "\" }]\n"
        << "[[customer]]\nid = \"beta\"\nname = \"Beta\"\nprice_plan = \"down\"\n"
        << "accounts = [{ id = \"333333333333\", from = \"" << at << "\" }]\n";
  };
  std::string cur = dir_ + "/../cur.csv";
  {
    std::ofstream out(cur);
    out << "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
           "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,"
           "lineItem/ProductCode,lineItem/UnblendedCost,lineItem/CurrencyCode\n";
    for (int hour = 0; hour < 24; ++hour) {
      Timestamp start = TimestampFromCivil(2026, 10, 14, hour);
      out << "999999999999,2026-10-01T00:00:00Z,333333333333,Usage," << FormatTimestamp(start)
          << "," << FormatTimestamp(start + 3600) << ",AmazonEC2,1.00,USD\n";
    }
  }
  BillingPeriod october = BillingPeriod::Containing(TimestampFromCivil(2026, 10, 1));
  auto totals = [](const RunOutcome& run) {
    std::map<std::string, Decimal> out;
    for (const auto& s : run.statements.statements) out[s.customer] = s.total;
    return out;
  };

  configure("2026-10-14T12:00:00Z");
  ASSERT_OK_AND_ASSIGN(IngestSummary first, IngestFiles(dir_, {cur}, now_, "t"));
  ASSERT_EQ(first.months.size(), 1u);
  EXPECT_EQ(first.months[0].rows, 24u);
  ASSERT_OK_AND_ASSIGN(RunOutcome noon, RunPeriod(dir_, october, now_, "t"));
  ASSERT_OK_AND_ASSIGN(store::RunRecord recorded, LatestRun(dir_, october));
  EXPECT_EQ(recorded.input_lines, 2u);  // the day, cut at noon
  EXPECT_EQ(totals(noon),
            (std::map<std::string, Decimal>{{"alpha", D("13.20")}, {"beta", D("11.40")}}));

  configure("2026-10-14T15:00:00Z");
  Result<RunOutcome> stale = RunPeriod(dir_, october, now_, "t");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(stale.status().message().find("2026-10-14T15:00:00Z"), std::string::npos)
      << stale.status().message();
  EXPECT_NE(stale.status().message().find("ingest the month's files again"), std::string::npos);

  ASSERT_OK_AND_ASSIGN(IngestSummary again, IngestFiles(dir_, {cur}, now_, "t"));
  EXPECT_EQ(again.months[0].action, "replaced");
  ASSERT_OK_AND_ASSIGN(RunOutcome three, RunPeriod(dir_, october, now_, "t"));
  EXPECT_EQ(totals(three),
            (std::map<std::string, Decimal>{{"alpha", D("16.50")}, {"beta", D("8.55")}}));
}

// Other providers' FOCUS exports name their billing accounts by paths. Each payer's month is
// still a single file of the month's folder, named one to one from the account, and the run
// carries that payer's spend like any other's.
TEST_F(Workspace, APayerWhoseIdIsAPathGetsAMonthFileOfItsOwn) {
  ASSERT_OK(InitWorkspace(dir_));
  const std::string azure = "/providers/Microsoft.Billing/billingAccounts/8611537";
  const std::string focus = dir_ + "/../focus.csv";
  std::ofstream(focus)
      << "BillingAccountId,SubAccountId,ChargeCategory,ChargeDescription,BilledCost,"
         "EffectiveCost,ListCost,BillingCurrency,BillingPeriodStart,ChargePeriodStart,"
         "ChargePeriodEnd,ServiceName,ProviderName,UsageQuantity,UsageUnit\n"
      << azure
      << ",/subscriptions/1,Usage,VM hours,3.00,3.00,3.00,USD,2026-10-01 00:00:00,"
         "2026-10-04 00:00:00,2026-10-04 01:00:00,Virtual Machines,Microsoft,1,Hours\n"
      << "999999999999,333333333333,Usage,EC2 hours,2.00,2.00,2.00,USD,2026-10-01 00:00:00,"
         "2026-10-04 00:00:00,2026-10-04 01:00:00,Amazon EC2,AWS,1,Hours\n";
  ASSERT_OK_AND_ASSIGN(IngestSummary ingested, IngestFiles(dir_, {focus}, now_, "t"));
  std::map<std::string, Decimal> unblended;
  for (const IngestedMonth& m : ingested.months) unblended[m.payer] = m.totals[0];
  EXPECT_EQ(unblended,
            (std::map<std::string, Decimal>{{azure, D("3.00")}, {"999999999999", D("2.00")}}));
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir_ + "/months/2026-10")) {
    ASSERT_TRUE(entry.is_regular_file()) << entry.path();
    files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].substr(0, 13), "999999999999-");
  EXPECT_EQ(files[1].substr(0, 69),
            "_2fproviders_2f_4dicrosoft_2e_42illing_2fbilling_41ccounts_2f8611537-");

  ASSERT_OK_AND_ASSIGN(IngestSummary again, IngestFiles(dir_, {focus}, now_, "t"));
  for (const IngestedMonth& m : again.months) EXPECT_EQ(m.action, "unchanged") << m.payer;
  ASSERT_OK_AND_ASSIGN(std::vector<store::MonthRecord> listed, ListMonths(dir_));
  std::vector<std::string> payers;
  for (const store::MonthRecord& m : listed) payers.push_back(m.payer);
  EXPECT_NE(std::find(payers.begin(), payers.end(), azure), payers.end());

  BillingPeriod october = BillingPeriod::Containing(TimestampFromCivil(2026, 10, 1));
  ASSERT_OK_AND_ASSIGN(RunOutcome run, RunPeriod(dir_, october, now_, "t"));
  EXPECT_TRUE(run.reconciliation.balanced);
  Decimal unassigned;
  for (const auto& payer : run.reconciliation.payers) {
    if (payer.payer == azure) unassigned = payer.unassigned;
  }
  EXPECT_EQ(unassigned, D("3.00"));
}

// The columns a legacy CUR needs, for files written by the tests below.
const std::string kCurHeader =
    "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
    "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,"
    "lineItem/ProductCode,lineItem/UnblendedCost,lineItem/CurrencyCode\n";

// The same file named twice, or its copy under another name, would bill its rows twice: the
// ingest is refused and the workspace keeps no month. Files without rows may be alike.
TEST_F(Workspace, AFileIsIngestedOnceHoweverItIsNamed) {
  ASSERT_OK(InitWorkspace(dir_));
  const std::string row =
      "999999999999,2026-10-01T00:00:00Z,333333333333,Usage,2026-10-04T00:00:00Z,"
      "2026-10-04T01:00:00Z,AmazonEC2,1.00,USD\n";
  const std::string parent = fs::path(dir_).parent_path().string();
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(parent + "/" + name) << text;
    return parent + "/" + name;
  };
  std::string cur = write("cur.csv", kCurHeader + row);
  std::string copy = write("copy.csv", kCurHeader + row);
  EXPECT_STATUS(IngestFiles(dir_, {cur, copy}, now_, "t"), StatusCode::kInvalidInput,
                copy + ": holds the same bytes as " + cur);
  EXPECT_STATUS(
      IngestFiles(dir_, {cur, parent + "/../" + fs::path(parent).filename().string() + "/cur.csv"},
                  now_, "t"),
      StatusCode::kInvalidInput, "cur.csv: is given twice");
  EXPECT_FALSE(fs::exists(dir_ + "/months/2026-10"));

  std::string empty = write("empty.csv", kCurHeader);
  std::string also_empty = write("also-empty.csv", kCurHeader);
  ASSERT_OK_AND_ASSIGN(IngestSummary ingested,
                       IngestFiles(dir_, {cur, empty, also_empty}, now_, "t"));
  ASSERT_EQ(ingested.months.size(), 1u);
  EXPECT_EQ(ingested.months[0].totals[0], D("1.00"));
}

// Loose files restate their month like a delivery: the second part of a month ingested on its
// own replaces the first, and the ingest says which files that leaves out.
TEST_F(Workspace, OnePartOfAMonthAloneReplacesItAndSaysSo) {
  ASSERT_OK(InitWorkspace(dir_));
  const std::string parent = fs::path(dir_).parent_path().string();
  auto part = [&](const std::string& name, const std::string& day, const std::string& cost) {
    std::ofstream(parent + "/" + name)
        << kCurHeader << "999999999999,2026-10-01T00:00:00Z,333333333333,Usage,2026-10-" << day
        << "T00:00:00Z,2026-10-" << day << "T01:00:00Z,AmazonEC2," << cost << ",USD\n";
    return parent + "/" + name;
  };
  std::string one = part("part-1.csv", "04", "1.00");
  std::string two = part("part-2.csv", "05", "2.00");
  ASSERT_OK_AND_ASSIGN(IngestSummary first, IngestFiles(dir_, {one}, now_, "t"));
  EXPECT_TRUE(first.warnings.empty());
  ASSERT_OK_AND_ASSIGN(IngestSummary alone, IngestFiles(dir_, {two}, now_, "t"));
  ASSERT_EQ(alone.months.size(), 1u);
  EXPECT_EQ(alone.months[0].action, "replaced");
  EXPECT_EQ(alone.months[0].totals[0], D("2.00"));
  ASSERT_EQ(alone.warnings.size(), 1u);
  EXPECT_NE(alone.warnings[0].find("2026-10 payer 999999999999: replaces the month ingested "
                                   "before from " +
                                   one + ", which this ingest does not read"),
            std::string::npos)
      << alone.warnings[0];
  ASSERT_OK_AND_ASSIGN(IngestSummary both, IngestFiles(dir_, {one, two}, now_, "t"));
  EXPECT_EQ(both.months[0].totals[0], D("3.00"));
  EXPECT_TRUE(both.warnings.empty());
  // A corrected file at the same path, with the other part, leaves nothing out.
  part("part-1.csv", "04", "1.50");
  ASSERT_OK_AND_ASSIGN(IngestSummary corrected, IngestFiles(dir_, {one, two}, now_, "t"));
  EXPECT_EQ(corrected.months[0].action, "replaced");
  EXPECT_EQ(corrected.months[0].totals[0], D("3.50"));
  EXPECT_TRUE(corrected.warnings.empty());
}

// A warning that holds for several files of one ingest (the parts of a delivery) is said once,
// naming them; one that differs from file to file is said for each.
TEST_F(Workspace, AWarningForManyFilesIsSaidOnce) {
  ASSERT_OK(InitWorkspace(dir_));
  const std::string parent = fs::path(dir_).parent_path().string();
  // Account ids that lost their leading zero: the same warning for every part but the last.
  auto part = [&](int n, const std::string& account) {
    std::string name = parent + "/part-" + std::to_string(n) + ".csv";
    std::ofstream(name) << kCurHeader << "999999999999,2026-10-01T00:00:00Z," << account
                        << ",Usage,2026-10-0" << n << "T00:00:00Z,2026-10-0" << n
                        << "T01:00:00Z,AmazonEC2,1.00,USD\n";
    return name;
  };
  std::vector<std::string> parts;
  for (int n = 1; n <= 5; ++n) parts.push_back(part(n, "33333333333"));
  parts.push_back(part(6, "4444444444"));
  ASSERT_OK_AND_ASSIGN(IngestSummary ingested, IngestFiles(dir_, parts, now_, "t"));
  ASSERT_EQ(ingested.warnings.size(), 2u);
  const std::string padded =
      "AWS account ids with fewer than 12 digits were read with their leading zeros put back "
      "(33333333333 as 033333333333)";
  EXPECT_EQ(ingested.warnings[0].rfind(parts[0] + ": " + padded, 0), 0u) << ingested.warnings[0];
  EXPECT_NE(ingested.warnings[0].find("; the same holds for 4 more files: " + parts[1] + ", " +
                                      parts[2] + ", " + parts[3] + " and 1 more"),
            std::string::npos)
      << ingested.warnings[0];
  EXPECT_EQ(ingested.warnings[1].rfind(parts[5] + ": AWS account ids", 0), 0u)
      << ingested.warnings[1];
  EXPECT_NE(ingested.warnings[1].find("(4444444444 as 004444444444)"), std::string::npos);
  EXPECT_EQ(ingested.warnings[1].find("the same holds"), std::string::npos);
}

// A command killed between writing a month file and recording it, or while writing it, leaves
// a file no month names; the period's next ingest removes it, and only it, as it removes the
// file of a month it replaces.
TEST_F(Workspace, IngestRemovesMonthFilesNoMonthNames) {
  ASSERT_OK(InitWorkspace(dir_));
  const std::string cur = fs::path(dir_).parent_path().string() + "/cur.csv";
  std::ofstream(cur) << kCurHeader
                     << "999999999999,2026-10-01T00:00:00Z,111111111111,Usage,2026-10-01T00:00:00Z,"
                        "2026-10-01T01:00:00Z,AmazonEC2,1.00,USD\n";
  ASSERT_OK_AND_ASSIGN(IngestSummary first, IngestFiles(dir_, {cur}, now_, "t"));
  ASSERT_OK_AND_ASSIGN(std::vector<store::MonthRecord> months, ListMonths(dir_));
  ASSERT_EQ(months.size(), 1u);
  const std::string recorded = dir_ + "/" + months[0].month_file;
  const std::string october = dir_ + "/months/2026-10/";
  const std::string september = dir_ + "/months/2026-09/";
  fs::create_directories(september);
  const std::vector<std::string> left_behind = {
      october + "999999999999-0123456789abcdef.month",
      october + "999999999999-0123456789abcdef.month.tmp",
      october + "888888888888-fedcba9876543210.month",
  };
  // Not rebill's names, or a period this ingest did not lock: kept.
  const std::vector<std::string> kept = {october + "notes.txt",
                                         september + "999999999999-0123456789abcdef.month"};
  for (const std::string& f : left_behind) std::ofstream(f) << "x";
  for (const std::string& f : kept) std::ofstream(f) << "x";

  ASSERT_OK_AND_ASSIGN(IngestSummary again, IngestFiles(dir_, {cur}, now_, "t"));
  ASSERT_EQ(again.months.size(), 1u);
  EXPECT_EQ(again.months[0].action, "unchanged");
  EXPECT_TRUE(fs::exists(recorded));
  for (const std::string& f : left_behind) EXPECT_FALSE(fs::exists(f)) << f;
  for (const std::string& f : kept) EXPECT_TRUE(fs::exists(f)) << f;
  ASSERT_OK_AND_ASSIGN(std::vector<store::MonthRecord> after, ListMonths(dir_));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].month_file, months[0].month_file);

  // A corrected delivery replaces the month: its file is the only one left.
  std::ofstream(cur) << kCurHeader
                     << "999999999999,2026-10-01T00:00:00Z,111111111111,Usage,2026-10-01T00:00:00Z,"
                        "2026-10-01T01:00:00Z,AmazonEC2,2.00,USD\n";
  ASSERT_OK_AND_ASSIGN(IngestSummary corrected, IngestFiles(dir_, {cur}, now_, "t"));
  EXPECT_EQ(corrected.months[0].action, "replaced");
  ASSERT_OK_AND_ASSIGN(std::vector<store::MonthRecord> now_recorded, ListMonths(dir_));
  ASSERT_EQ(now_recorded.size(), 1u);
  EXPECT_NE(now_recorded[0].month_file, months[0].month_file);
  EXPECT_FALSE(fs::exists(recorded));
  EXPECT_TRUE(fs::exists(dir_ + "/" + now_recorded[0].month_file));
}

TEST_F(Workspace, NotAWorkspace) {
  EXPECT_STATUS(IngestFiles(dir_, {"x.csv"}, now_, "t"), StatusCode::kNotFound, "rebill init");
}

}  // namespace
}  // namespace rebill::pipeline
