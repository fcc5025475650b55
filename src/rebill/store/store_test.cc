#include "rebill/store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "rebill/store/month_file.h"
#include "rebill/store/workspace_lock.h"
#include "testing/status_matchers.h"

namespace rebill::store {
namespace {
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/rebill-store-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

NormalizedMonth SampleMonth() {
  NormalizedMonth m;
  m.period = BillingPeriod::Make(2023, 11).value();
  m.display_scale = 11;
  m.sources = {{"cur.csv", "ab12", "legacy-cur-csv", 2}};
  CurLine a;
  a.period = m.period;
  a.payer_account = "123412340534";
  a.usage_account = "011254002932";
  a.type = LineItemType::kSavingsPlanCoveredUsage;
  a.type_text = "SavingsPlanCoveredUsage";
  a.product_code = "AmazonEC2";
  a.usage_start = TimestampFromCivil(2023, 11, 2, 5);
  a.usage_end = a.usage_start + 3600;
  a.usage_amount = D("1.5");
  a.cost = {D("0.192"), D("0.18"), D("0.120"), D("0.192")};
  a.commitment_arn = "arn:aws:savingsplans::1:savingsplan/x";
  a.tags = {{"user:CostCenter", "cc-100"}};
  a.source_row = 1;
  CurLine b = a;
  b.type = LineItemType::kUnknown;
  b.type_text = "BrandNewType";
  b.cost = {D("-0.0000000013"), D("-1.3E-9"), D("0"), D("0")};
  b.invoice_id = "EUINGB23-123";
  b.source_row = 2;
  m.lines = {a, b};
  return m;
}

TEST(MonthFile, RoundTripsExactly) {
  TempDir dir;
  std::string path = dir.path() + "/m.month";
  NormalizedMonth month = SampleMonth();
  ASSERT_OK_AND_ASSIGN(std::string sha, WriteMonthFile(path, month));
  EXPECT_EQ(sha.size(), 64u);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  ASSERT_OK_AND_ASSIGN(NormalizedMonth back, ReadMonthFile(path));
  EXPECT_EQ(back, month);
  EXPECT_TRUE(back.IsFinal());
}

TEST(MonthFile, DetectsAFlippedByteAndTruncation) {
  TempDir dir;
  std::string path = dir.path() + "/m.month";
  ASSERT_OK_AND_ASSIGN(std::string sha, WriteMonthFile(path, SampleMonth()));
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string flipped = bytes;
  flipped[40] = static_cast<char>(flipped[40] ^ 0x5a);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "checksum mismatch");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  EXPECT_STATUS(ReadMonthFile(path), StatusCode::kInvalidInput, "ingest the billing files again");
  EXPECT_STATUS(ReadMonthFile(dir.path() + "/missing.month"), StatusCode::kIo, "missing.month");
}

TEST(Store, MonthsAreReplacedAsAWhole) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(dir.path() + "/rebill.db"));
  MonthRecord first{"2023-11",
                    "123412340534",
                    "months/a.month",
                    "sha-a",
                    {{"cur.csv", "f1", "legacy-cur-csv", 10}},
                    10,
                    "2023-12-01T00:00:00Z"};
  AuditEntry audit{"2023-12-01T00:00:00Z", "tester", "ingest", "2023-11", "files: cur.csv", "", ""};
  ASSERT_OK_AND_ASSIGN(auto replaced, store->ReplaceMonths({first}, audit));
  EXPECT_TRUE(replaced.empty());
  MonthRecord second = first;
  second.month_file = "months/b.month";
  second.sources[0].sha256 = "f2";
  ASSERT_OK_AND_ASSIGN(replaced, store->ReplaceMonths({second}, audit));
  EXPECT_EQ(replaced, std::vector<std::string>{"months/a.month"});
  ASSERT_OK_AND_ASSIGN(auto found, store->FindMonth("2023-11", "123412340534"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->month_file, "months/b.month");
  EXPECT_EQ(found->sources[0].sha256, "f2");
  EXPECT_EQ(found->rows, 10u);
  ASSERT_OK_AND_ASSIGN(auto months, store->MonthsOf("2023-12"));
  EXPECT_TRUE(months.empty());
  ASSERT_OK_AND_ASSIGN(auto log, store->AuditLog());
  EXPECT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].actor, "tester");
}

TEST(Store, RunsReplaceDraftsAndSurviveReopening) {
  TempDir dir;
  std::string path = dir.path() + "/rebill.db";
  {
    ASSERT_OK_AND_ASSIGN(auto store, Store::Open(path));
    RunRecord run;
    run.period = "2023-11";
    run.started_at = "2023-12-01T00:00:00Z";
    run.config_sha256 = "c1";
    run.month_sha256 = {"m1"};
    run.statements_json = "{\"v\":1}";
    run.reconcile_json = "{}";
    run.margin_json = "{}";
    run.totals_json = "{}";
    run.invariants_json = "{}";
    AuditEntry audit{"2023-12-01T00:00:00Z", "tester", "run", "2023-11", "", "", ""};
    ASSERT_OK_AND_ASSIGN(int64_t first, store->RecordRun(run, audit));
    run.statements_json = "{\"v\":2}";
    ASSERT_OK_AND_ASSIGN(int64_t second, store->RecordRun(run, audit));
    EXPECT_GT(second, first);
  }
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(path));  // migrations are idempotent
  ASSERT_OK_AND_ASSIGN(auto latest, store->LatestRun("2023-11"));
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->statements_json, "{\"v\":2}");
  EXPECT_EQ(latest->month_sha256, std::vector<std::string>{"m1"});
  ASSERT_OK_AND_ASSIGN(int64_t runs, store->CountRuns());
  EXPECT_EQ(runs, 2);
  ASSERT_OK_AND_ASSIGN(auto none, store->LatestRun("2024-01"));
  EXPECT_FALSE(none.has_value());
}

void RawSql(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(Store, MigratesAVersionOneStoreAndRefusesANewerOne) {
  TempDir dir;
  std::string path = dir.path() + "/rebill.db";
  { ASSERT_OK_AND_ASSIGN(auto store, Store::Open(path)); }
  // Turn it back into a version 1 store: what the first release wrote.
  RawSql(path,
         "DROP TABLE payments; DROP TABLE invoices; DROP TABLE invoice_sequences; DROP TABLE "
         "closed_periods; DROP TABLE locked_fx_rates; DROP TABLE frozen_renders; DROP TABLE "
         "adjustments; ALTER TABLE "
         "audit_log DROP COLUMN config_sha256; ALTER TABLE audit_log DROP COLUMN input_sha256; "
         "DROP TABLE credit_ledger; DROP TABLE fx_rates; DROP TABLE org_accounts; DROP TABLE "
         "handshakes; ALTER TABLE runs "
         "DROP COLUMN "
         "accounts_json; PRAGMA user_version=1;");
  {
    ASSERT_OK_AND_ASSIGN(auto store, Store::Open(path));
    RunRecord run;
    run.period = "2023-11";
    run.accounts_json = "{\"checked\":true}";
    AuditEntry audit{"2023-12-01T00:00:00Z", "tester", "run", "2023-11", "", "", ""};
    ASSERT_OK_AND_ASSIGN(int64_t id, store->RecordRun(run, audit));
    ASSERT_OK_AND_ASSIGN(auto latest, store->LatestRun("2023-11"));
    ASSERT_TRUE(latest.has_value());
    EXPECT_EQ(latest->id, id);
    EXPECT_EQ(latest->accounts_json, "{\"checked\":true}");
    OrgAccount account;
    account.id = "011111111111";
    account.tags = {{"customer", "acme"}};
    ASSERT_OK(store->ReplaceOrgAccounts({account}, audit));
    ASSERT_OK(store->UpsertHandshakes({{"h-1", "INVITE", "OPEN", "", "a@b.c", 1, 2}}, audit));
    ASSERT_OK(store->UpsertHandshakes({{"h-1", "INVITE", "ACCEPTED", "", "a@b.c", 1, 2}}, audit));
    ASSERT_OK_AND_ASSIGN(Organization org, store->LoadOrganization());
    ASSERT_EQ(org.accounts.size(), 1u);
    EXPECT_EQ(org.accounts[0], account);
    ASSERT_EQ(org.handshakes.size(), 1u);
    EXPECT_EQ(org.handshakes[0].state, "ACCEPTED");
  }
  {
    ASSERT_OK_AND_ASSIGN(auto store, Store::Open(path));
    AuditEntry audit{"2023-12-01T00:00:00Z", "tester", "fx import", "2026-10", "", "", ""};
    ASSERT_OK(store->ReplaceFxRates("2026-10", {{"USD", "EUR", D("0.9214"), "ECB"}}, audit));
    ASSERT_OK(
        store->ReplaceFxRates("2026-10", {{"USD", "EUR", D("0.9215"), "ECB, revised"}}, audit));
    ASSERT_OK_AND_ASSIGN(auto rate, store->FindFxRate("2026-10", "USD", "EUR"));
    ASSERT_TRUE(rate.has_value());
    EXPECT_EQ(rate->rate, D("0.9215"));
    EXPECT_EQ(rate->source, "ECB, revised");
    ASSERT_OK_AND_ASSIGN(auto none, store->FindFxRate("2026-11", "USD", "EUR"));
    EXPECT_FALSE(none.has_value());
  }
  RawSql(path, "PRAGMA user_version=99;");
  EXPECT_STATUS(Store::Open(path), StatusCode::kFailedPrecondition, "upgrade rebill");
}

InvoiceRecord Invoice(const std::string& number, int64_t seq) {
  InvoiceRecord r;
  r.number = number;
  r.entity = "Northwind GmbH";
  r.seq = seq;
  r.kind = "invoice";
  r.period = "2026-10";
  r.customer = "acme";
  r.currency = "USD";
  r.total = D("10.00");
  r.status = "final";
  return r;
}

TEST(Store, InvoiceNumbersAreGaplessAcrossFailedTransactions) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(dir.path() + "/rebill.db"));
  std::vector<int64_t> taken;
  auto issue = [&](bool fail) {
    return store->Finalize([&]() -> Status {
      Result<int64_t> seq = store->TakeInvoiceSeq("Northwind GmbH");
      if (!seq.ok()) return seq.status();
      if (fail) return FailedPrecondition("refused after taking a number");
      taken.push_back(*seq);
      return store->InsertInvoice(Invoice("INV-" + std::to_string(*seq), *seq));
    });
  };
  ASSERT_OK(issue(false));
  EXPECT_STATUS(issue(true), StatusCode::kFailedPrecondition, "refused");
  ASSERT_OK(issue(false));
  // The failed transaction's number was rolled back with it: 1, 2, not 1, 3.
  EXPECT_EQ(taken, (std::vector<int64_t>{1, 2}));
  // Another entity has its own sequence.
  ASSERT_OK(store->Finalize([&]() -> Status {
    Result<int64_t> seq = store->TakeInvoiceSeq("Northwind Inc");
    if (!seq.ok()) return seq.status();
    EXPECT_EQ(*seq, 1);
    return Status::Ok();
  }));
  // A number is never used twice.
  EXPECT_STATUS(store->Finalize([&]() { return store->InsertInvoice(Invoice("INV-1", 9)); }),
                StatusCode::kConflict, "INV-1");
  ASSERT_OK_AND_ASSIGN(std::vector<InvoiceRecord> all, store->Invoices());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].number, "INV-2");
  EXPECT_EQ(all[1].total, D("10.00"));
}

TEST(Store, AdjustmentsWaitForTheNextOpenStatement) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(dir.path() + "/rebill.db"));
  AuditEntry audit{"2026-11-05T09:00:00Z", "tester", "run", "2026-10", "", "cfg", "m1"};
  RunRecord restated;
  restated.period = "2026-10";
  restated.restated = true;
  restated.statements_json = "{\"restated\":1}";
  Adjustment a;
  a.period = "2026-10";
  a.customer = "acme";
  a.kind = "credit";
  a.service = "AmazonEC2";
  a.amount = D("-5.00");
  a.currency = "USD";
  a.original_invoice = "INV-1";
  restated.new_adjustments = {a};
  ASSERT_OK_AND_ASSIGN(int64_t restated_id, store->RecordRun(restated, audit));
  EXPECT_GT(restated_id, 0);
  ASSERT_OK_AND_ASSIGN(auto slot, store->RestatedStatements("2026-10"));
  ASSERT_TRUE(slot.has_value());
  EXPECT_EQ(*slot, "{\"restated\":1}");
  // The restatement is not the period's draft.
  ASSERT_OK_AND_ASSIGN(auto draft, store->LatestRun("2026-10"));
  EXPECT_FALSE(draft.has_value());

  ASSERT_OK_AND_ASSIGN(std::vector<Adjustment> pending, store->AdjustmentsFor("2026-11"));
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].amount, D("-5.00"));
  ASSERT_OK_AND_ASSIGN(auto earlier, store->AdjustmentsFor("2026-10"));
  EXPECT_TRUE(earlier.empty());  // a correction never lands on the period it corrects

  RunRecord november;
  november.period = "2026-11";
  november.applied_adjustments = {pending[0].id};
  ASSERT_OK_AND_ASSIGN(int64_t november_id, store->RecordRun(november, audit));
  EXPECT_GT(november_id, restated_id);
  // Carried by November: November sees it again on a re-run, December does not.
  ASSERT_OK_AND_ASSIGN(auto again, store->AdjustmentsFor("2026-11"));
  EXPECT_EQ(again.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto december, store->AdjustmentsFor("2026-12"));
  EXPECT_TRUE(december.empty());
  // November run again without the customer's statement: the adjustment is pending again.
  november.applied_adjustments.clear();
  ASSERT_OK_AND_ASSIGN(int64_t rerun_id, store->RecordRun(november, audit));
  EXPECT_GT(rerun_id, november_id);
  ASSERT_OK_AND_ASSIGN(auto pending_again, store->AdjustmentsFor("2026-12"));
  EXPECT_EQ(pending_again.size(), 1u);

  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> log, store->AuditLog());
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].action, "adjustment");
  EXPECT_EQ(log[0].config_sha256, "cfg");
  EXPECT_EQ(log[0].input_sha256, "m1");
}

TEST(WorkspaceLock, WaitingTakesTheLockOnceReleased) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto lock, WorkspaceLock::Acquire(dir.path()));
  EXPECT_STATUS(WorkspaceLock::AcquireWaiting(dir.path(), 0), StatusCode::kConflict,
                "another rebill command");
  std::thread releaser([&lock] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    lock.reset();
  });
  Result<std::unique_ptr<WorkspaceLock>> waited = WorkspaceLock::AcquireWaiting(dir.path(), 30);
  releaser.join();
  EXPECT_OK(waited.status());
}

TEST(WorkspaceLock, SecondHolderGetsAConflict) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto lock, WorkspaceLock::Acquire(dir.path()));
  EXPECT_STATUS(WorkspaceLock::Acquire(dir.path()), StatusCode::kConflict,
                "another rebill command");
  lock.reset();
  ASSERT_OK_AND_ASSIGN(auto again, WorkspaceLock::Acquire(dir.path()));
}

TEST(Sha256Hex, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace rebill::store
