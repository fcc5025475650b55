#include "rebill/pipeline/runner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
  EXPECT_EQ(names.size(), 4u);
  // The Unassigned account's spend is visible, not dropped.
  ASSERT_EQ(run.reconciliation.payers.size(), 1u);
  EXPECT_GT(run.reconciliation.payers[0].unassigned, Decimal());
  EXPECT_GT(run.reconciliation.payers[0].reseller_retained, Decimal());

  // Re-running is reproducible: same statements, a new run id.
  ASSERT_OK_AND_ASSIGN(RunOutcome again, RunPeriod(dir_, demo.period, now_, "t"));
  EXPECT_EQ(report::RenderJson(again.statements), report::RenderJson(run.statements));
  EXPECT_GT(again.run_id, run.run_id);
  ASSERT_OK_AND_ASSIGN(store::RunRecord latest, LatestRun(dir_, demo.period));
  EXPECT_EQ(latest.id, again.run_id);
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

TEST_F(Workspace, NotAWorkspace) {
  EXPECT_STATUS(IngestFiles(dir_, {"x.csv"}, now_, "t"), StatusCode::kNotFound, "rebill init");
}

}  // namespace
}  // namespace rebill::pipeline
