#include "rebill/store/store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "rebill/store/connection.h"
#include "rebill/store/month_file.h"
#include "rebill/store/store_internal.h"
#include "rebill/store/workspace_lock.h"
#include "testing/postgres_server.h"
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

// Big enough to be written and read on two threads: lines with none to three tags (the
// second half's tags start wherever the first half's end), from two periods and two sources.
TEST(MonthFile, ABigMonthRoundTripsExactly) {
  TempDir dir;
  std::string path = dir.path() + "/big.month";
  NormalizedMonth month = SampleMonth();
  month.sources.push_back({"cur-2.csv", "cd34", "legacy-cur-csv", 50000});
  std::mt19937_64 random(7);
  const CurLine model = month.lines[0];
  month.lines.clear();
  for (uint64_t i = 0; i < 50000; ++i) {
    CurLine l = model;
    if (i % 97 == 0) l.period = month.period.Previous();
    l.type = static_cast<LineItemType>(random() % kLineItemTypeCount);
    l.usage_account = std::to_string(100000000000 + random() % 40);
    l.description = "line " + std::to_string(random() % 5000) + " of a long description";
    l.usage_start += static_cast<Timestamp>(random() % 720) * 3600;
    l.cost.unblended = Decimal::FromInt(static_cast<int64_t>(random() % 100000) - 50000);
    l.tags.clear();
    for (uint64_t t = random() % 4; t > 0; --t) {
      l.tags.emplace_back("user:k" + std::to_string(t), "v" + std::to_string(random() % 300));
    }
    l.source_file = static_cast<uint32_t>(i % 2);
    l.source_row = i + 1;
    month.lines.push_back(std::move(l));
  }
  ASSERT_OK_AND_ASSIGN(std::string sha, WriteMonthFile(path, month));
  EXPECT_EQ(sha.size(), 64u);
  ASSERT_OK_AND_ASSIGN(NormalizedMonth back, ReadMonthFile(path));
  ASSERT_EQ(back.lines.size(), month.lines.size());
  for (size_t i = 0; i < month.lines.size(); ++i) ASSERT_EQ(back.lines[i], month.lines[i]) << i;
  EXPECT_EQ(back, month);
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

// The store contract: every test below runs against SQLite and against a real PostgreSQL server.
enum class Backend { kSqlite, kPostgres };

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

class StoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      uri_ = dir_.path() + "/rebill.db";
      return;
    }
    Result<std::string> url = rebill::testing::PostgresServer::NewDatabase();
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    uri_ = *url;
  }
  // A second, independent store of the same backend (for round trips).
  static Result<std::string> AnotherStore(Backend backend, const std::string& dir,
                                          const std::string& name) {
    if (backend == Backend::kSqlite) return dir + "/" + name + ".db";
    return rebill::testing::PostgresServer::NewDatabase();
  }

  TempDir dir_;
  std::string uri_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

AuditEntry Audit(const std::string& action, const std::string& period) {
  return AuditEntry{"2023-12-01T00:00:00Z", "tester",     action,     period,
                    "detail of " + action,  "config-sha", "input-sha"};
}

RunRecord SampleRun(const std::string& period, const std::string& statements) {
  RunRecord run;
  run.period = period;
  run.started_at = "2023-12-01T00:00:00Z";
  run.config_sha256 = "c1";
  run.month_sha256 = {"m1", "m2"};
  run.input_lines = 12345;
  run.statements_json = statements;
  run.reconcile_json = "{\"balanced\":true}";
  run.margin_json = "{\"customer\":{}}";
  run.totals_json = "{\"lines\":12345}";
  run.invariants_json = "{\"conservation\":\"ok\"}";
  run.accounts_json = "{\"checked\":true}";
  return run;
}

MonthRecord SampleMonthRecord(const std::string& period, const std::string& file) {
  return MonthRecord{period,
                     "123412340534",
                     file,
                     "sha-" + file,
                     {{"cur.csv", "f1", "legacy-cur-csv", 10}, {"cur2.csv", "f2", "focus-1.0", 3}},
                     13,
                     "2023-12-01T00:00:00Z"};
}

IngestRecord SampleIngest() {
  Reject reject;
  reject.file = "cur.csv";
  reject.row = 17;
  reject.column = "lineItem/UnblendedCost";
  reject.kind = "malformed value";
  reject.reason = "'1.2.3' is not a decimal number";
  reject.raw_text = "1.2.3";
  return IngestRecord{"2023-12-01T00:00:00Z", "tester", R"({"rows_read":14})", {reject}};
}

TEST_P(StoreContract, AnIngestKeepsItsRejectsAndTheMonthsItsDelivery) {
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
  MonthRecord month = SampleMonthRecord("2023-11", "months/a.month");
  month.delivery_json = R"([{"layout":"legacy-create-new","id":"a-1"}])";
  month.summary_json = R"({"status":"final"})";
  ASSERT_OK(::rebill::testing::StatusOf(
      store->ReplaceMonths({month}, Audit("ingest", "2023-11"), SampleIngest())));
  ASSERT_OK_AND_ASSIGN(std::vector<Reject> rejects, store->RejectsOfLatestIngest());
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].file, "cur.csv");
  EXPECT_EQ(rejects[0].row, 17u);
  EXPECT_EQ(rejects[0].column, "lineItem/UnblendedCost");
  EXPECT_EQ(rejects[0].kind, "malformed value");
  EXPECT_EQ(rejects[0].raw_text, "1.2.3");
  ASSERT_OK_AND_ASSIGN(auto found, store->FindMonth("2023-11", "123412340534"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->delivery_json, month.delivery_json);
  EXPECT_EQ(found->summary_json, month.summary_json);
  // The next ingest has its own (no) rejects.
  ASSERT_OK(::rebill::testing::StatusOf(store->ReplaceMonths(
      {SampleMonthRecord("2023-11", "months/b.month")}, Audit("ingest", "2023-11"), {})));
  ASSERT_OK_AND_ASSIGN(rejects, store->RejectsOfLatestIngest());
  EXPECT_TRUE(rejects.empty());
}

TEST_P(StoreContract, MonthsAreReplacedAsAWhole) {
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
  MonthRecord first = SampleMonthRecord("2023-11", "months/a.month");
  ASSERT_OK(store->ReplaceMonths({first}, Audit("ingest", "2023-11"), {}));
  MonthRecord second = first;
  second.month_file = "months/b.month";
  second.sources[0].sha256 = "f3";
  MonthRecord other = SampleMonthRecord("2023-10", "months/c.month");
  ASSERT_OK(store->ReplaceMonths({second, other}, Audit("ingest", "2023-11"), {}));
  ASSERT_OK_AND_ASSIGN(auto found, store->FindMonth("2023-11", "123412340534"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->month_file, "months/b.month");
  EXPECT_EQ(found->sources, second.sources);
  EXPECT_EQ(found->rows, 13u);
  ASSERT_OK_AND_ASSIGN(auto none, store->FindMonth("2023-11", "999999999999"));
  EXPECT_FALSE(none.has_value());
  ASSERT_OK_AND_ASSIGN(auto months, store->MonthsOf("2023-12"));
  EXPECT_TRUE(months.empty());
  ASSERT_OK_AND_ASSIGN(auto all, store->AllMonths());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].period, "2023-10");
  EXPECT_EQ(all[1].period, "2023-11");
  ASSERT_OK_AND_ASSIGN(auto log, store->AuditLog());
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].actor, "tester");
  EXPECT_EQ(log[1].detail, "detail of ingest");
}

TEST_P(StoreContract, RunsReplaceDraftsAndSurviveReopening) {
  int64_t first = 0;
  int64_t second = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
    ASSERT_OK_AND_ASSIGN(
        first, store->RecordRun(SampleRun("2023-11", "{\"v\":1}"), Audit("run", "2023-11")));
    ASSERT_OK_AND_ASSIGN(
        second, store->RecordRun(SampleRun("2023-11", "{\"v\":2}"), Audit("run", "2023-11")));
    EXPECT_GT(second, first);
  }
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));  // migrations are idempotent
  ASSERT_OK_AND_ASSIGN(int version, store->SchemaVersion());
  EXPECT_EQ(version, LatestSchemaVersion());
  ASSERT_OK_AND_ASSIGN(auto latest, store->LatestRun("2023-11"));
  ASSERT_TRUE(latest.has_value());
  RunRecord expected = SampleRun("2023-11", "{\"v\":2}");
  EXPECT_EQ(latest->id, second);
  EXPECT_EQ(latest->statements_json, expected.statements_json);
  EXPECT_EQ(latest->month_sha256, expected.month_sha256);
  EXPECT_EQ(latest->input_lines, expected.input_lines);
  EXPECT_EQ(latest->totals_json, expected.totals_json);
  EXPECT_EQ(latest->invariants_json, expected.invariants_json);
  EXPECT_EQ(latest->reconcile_json, expected.reconcile_json);
  EXPECT_EQ(latest->margin_json, expected.margin_json);
  EXPECT_EQ(latest->accounts_json, expected.accounts_json);
  ASSERT_OK_AND_ASSIGN(int64_t runs, store->CountRuns());
  EXPECT_EQ(runs, 2);
  ASSERT_OK_AND_ASSIGN(auto none, store->LatestRun("2024-01"));
  EXPECT_FALSE(none.has_value());
}

TEST_P(StoreContract, CreditLedgerIsTheLatestRunsAndAmountsStayExact) {
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
  RunRecord october = SampleRun("2023-10", "{}");
  october.credits_used = {{"acme", "launch", D("100.000000000000000001")}};
  ASSERT_OK(::rebill::testing::StatusOf(store->RecordRun(october, Audit("run", "2023-10"))));
  RunRecord november = SampleRun("2023-11", "{}");
  november.credits_used = {{"acme", "launch", D("50.25")}, {"beta", "launch", D("7")}};
  ASSERT_OK(::rebill::testing::StatusOf(store->RecordRun(november, Audit("run", "2023-11"))));
  // A rerun of November replaces its ledger.
  november.credits_used = {{"acme", "launch", D("0.75")}};
  ASSERT_OK(::rebill::testing::StatusOf(store->RecordRun(november, Audit("run", "2023-11"))));
  ASSERT_OK_AND_ASSIGN(Decimal before_dec, store->CreditUsedBefore("acme", "launch", "2023-12"));
  EXPECT_EQ(before_dec, D("100.750000000000000001"));
  ASSERT_OK_AND_ASSIGN(Decimal before_nov, store->CreditUsedBefore("acme", "launch", "2023-11"));
  EXPECT_EQ(before_nov, D("100.000000000000000001"));
  ASSERT_OK_AND_ASSIGN(Decimal beta, store->CreditUsedBefore("beta", "launch", "2023-12"));
  EXPECT_TRUE(beta.IsZero());
  ASSERT_OK_AND_ASSIGN(auto problems, store->Check(dir_.path()));
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST_P(StoreContract, OrganizationAccountsAreASnapshotAndHandshakesAreKept) {
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
  OrgAccount a;
  a.id = "011111111111";
  a.name = "Acme prod";
  a.email = "aws@acme.example";
  a.state = "ACTIVE";
  a.joined_method = "INVITED";
  a.joined = 1700000000;
  a.paths = {"r-1/ou-1"};
  a.tags = {{"customer", "acme"}, {"env", "prod"}};
  OrgAccount b = a;
  b.id = "022222222222";
  ASSERT_OK(store->ReplaceOrgAccounts({a, b}, Audit("accounts import", "")));
  ASSERT_OK(store->ReplaceOrgAccounts({a}, Audit("accounts import", "")));
  ASSERT_OK(store->UpsertHandshakes({{"h-1", "INVITE", "OPEN", "", "a@b.c", 1, 2},
                                     {"h-2", "INVITE", "OPEN", "033333333333", "", 3, 4}},
                                    Audit("accounts import", "")));
  ASSERT_OK(store->UpsertHandshakes({{"h-1", "INVITE", "ACCEPTED", "", "a@b.c", 1, 2}},
                                    Audit("accounts import", "")));
  ASSERT_OK_AND_ASSIGN(Organization org, store->LoadOrganization());
  ASSERT_EQ(org.accounts.size(), 1u);
  EXPECT_EQ(org.accounts[0], a);
  ASSERT_EQ(org.handshakes.size(), 2u);
  EXPECT_EQ(org.handshakes[0].state, "ACCEPTED");
  EXPECT_EQ(org.handshakes[1].account, "033333333333");
}

TEST_P(StoreContract, FxRatesAreReplacedPerPeriodAndPair) {
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
  ASSERT_OK(store->ReplaceFxRates("2026-10", {{"USD", "EUR", D("0.9214"), "ECB"}},
                                  Audit("fx import", "2026-10")));
  ASSERT_OK(store->ReplaceFxRates("2026-10",
                                  {{"USD", "EUR", D("0.921512345678901234"), "ECB, revised"}},
                                  Audit("fx import", "2026-10")));
  ASSERT_OK_AND_ASSIGN(auto rate, store->FindFxRate("2026-10", "USD", "EUR"));
  ASSERT_TRUE(rate.has_value());
  EXPECT_EQ(rate->rate, D("0.921512345678901234"));
  EXPECT_EQ(rate->source, "ECB, revised");
  ASSERT_OK_AND_ASSIGN(auto none, store->FindFxRate("2026-11", "USD", "EUR"));
  EXPECT_FALSE(none.has_value());
}

// What an earlier release left: the schema at `version`, with rows in every table it had.
void BuildStoreAtVersion(Backend backend, const std::string& uri, int version) {
  ASSERT_OK_AND_ASSIGN(auto conn, OpenConnection(uri));
  ASSERT_OK(MigrateTo(conn.get(), version));
  Connection* db = conn.get();
  auto exec = [&](const std::string& sql, const std::vector<std::string>& values) {
    Statement s(db, sql);
    ASSERT_OK(s.status());
    for (size_t i = 0; i < values.size(); ++i) s.Bind(static_cast<int>(i + 1), values[i]);
    ASSERT_OK(StepDone(db, s));
  };
  if (version >= 1) {
    exec(
        "INSERT INTO months (period, payer, month_file, month_sha256, sources_json, rows, "
        "ingested_at) VALUES (?,?,?,?,?,?,?)",
        {"2023-11", "123412340534", "months/2023-11/a.month", "sha-a",
         R"([{"path":"cur.csv","sha256":"f1","format":"legacy-cur-csv","rows":10}])", "10",
         "2023-12-01T00:00:00Z"});
    exec(
        "INSERT INTO runs (period, started_at, config_sha256, month_sha256_json, input_lines, "
        "totals_json, invariants_json, reconcile_json, margin_json) VALUES (?,?,?,?,?,?,?,?,?)",
        {"2023-11", "2023-12-01T00:00:00Z", "c1", R"(["sha-a"])", "10", "{}", "{}", "{}", "{}"});
    exec(
        "INSERT INTO statements (period, status, run_id, content_json) VALUES (?, 'draft', "
        "(SELECT MAX(id) FROM runs), ?)",
        {"2023-11", R"({"statements":[{"customer":"acme","total":"12.34"}]})"});
    exec("INSERT INTO audit_log (at, actor, action, period, detail) VALUES (?,?,?,?,?)",
         {"2023-12-01T00:00:00Z", "alice", "run", "2023-11", "config c1"});
  }
  if (version >= 2) {
    exec("UPDATE runs SET accounts_json = ?", {R"({"unassigned":[]})"});
    exec("INSERT INTO org_accounts VALUES (?,?,?,?,?,?,?,?)",
         {"011111111111", "Acme", "a@acme.example", "ACTIVE", "INVITED", "1700000000", R"(["r-1"])",
          R"([["customer","acme"]])"});
    exec("INSERT INTO handshakes VALUES (?,?,?,?,?,?,?)",
         {"h-1", "INVITE", "ACCEPTED", "011111111111", "", "1", "2"});
  }
  if (version >= 3) {
    exec("INSERT INTO fx_rates VALUES (?,?,?,?,?)",
         {"2023-11", "USD", "EUR", "0.9214", "ECB reference rate"});
  }
  if (version >= 4) {
    exec("INSERT INTO credit_ledger VALUES (?,?,?,?,(SELECT MAX(id) FROM runs))",
         {"2023-11", "acme", "launch", "12.5"});
  }
  if (version >= 5) {
    exec("UPDATE months SET delivery_json = ?, summary_json = ?",
         {R"([{"layout":"legacy-overwrite","id":"a-1"}])", R"({"status":"final"})"});
    exec("INSERT INTO ingests (at, actor, summary_json) VALUES (?,?,?)",
         {"2023-12-01T00:00:00Z", "alice", R"({"rows_read":11})"});
    exec("INSERT INTO rejects VALUES ((SELECT MAX(id) FROM ingests),?,?,?,?,?,?,?)",
         {"1", "cur.csv", "7", "lineItem/UnblendedCost", "malformed value", "not a number", "x"});
  }
  if (backend == Backend::kSqlite) {
    // Releases before the schema_version table kept the version in SQLite's user_version.
    ASSERT_OK(
        db->Exec("DROP TABLE schema_version; PRAGMA user_version = " + std::to_string(version)));
  }
}

TEST_P(StoreContract, MigratesEveryEarlierVersionKeepingItsRows) {
  for (int version = 0; version < LatestSchemaVersion(); ++version) {
    SCOPED_TRACE("from schema version " + std::to_string(version));
    ASSERT_OK_AND_ASSIGN(std::string uri,
                         AnotherStore(GetParam(), dir_.path(), "v" + std::to_string(version)));
    BuildStoreAtVersion(GetParam(), uri, version);
    ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri));
    ASSERT_OK_AND_ASSIGN(int now, store->SchemaVersion());
    EXPECT_EQ(now, LatestSchemaVersion());
    ASSERT_OK_AND_ASSIGN(auto month, store->FindMonth("2023-11", "123412340534"));
    ASSERT_OK_AND_ASSIGN(auto run, store->LatestRun("2023-11"));
    ASSERT_OK_AND_ASSIGN(auto log, store->AuditLog());
    ASSERT_OK_AND_ASSIGN(Organization org, store->LoadOrganization());
    ASSERT_OK_AND_ASSIGN(auto rate, store->FindFxRate("2023-11", "USD", "EUR"));
    ASSERT_OK_AND_ASSIGN(Decimal used, store->CreditUsedBefore("acme", "launch", "2023-12"));
    ASSERT_OK_AND_ASSIGN(std::vector<Reject> rejects, store->RejectsOfLatestIngest());
    EXPECT_EQ(rejects.size(), version >= 5 ? 1u : 0u);
    EXPECT_EQ(month.has_value(), version >= 1);
    EXPECT_EQ(run.has_value(), version >= 1);
    EXPECT_EQ(log.size(), version >= 1 ? 1u : 0u);
    if (version >= 1) {
      ASSERT_TRUE(month.has_value() && run.has_value());
      EXPECT_EQ(month->sources.size(), 1u);
      EXPECT_EQ(month->rows, 10u);
      // Months ingested before deliveries were recorded get empty delivery and summary objects.
      EXPECT_EQ(month->delivery_json,
                version >= 5 ? R"([{"layout":"legacy-overwrite","id":"a-1"}])" : "{}");
      EXPECT_EQ(month->summary_json, version >= 5 ? R"({"status":"final"})" : "{}");
      EXPECT_EQ(run->statements_json, R"({"statements":[{"customer":"acme","total":"12.34"}]})");
      EXPECT_EQ(run->month_sha256, std::vector<std::string>{"sha-a"});
      // Runs recorded before the accounts check get an empty one.
      EXPECT_EQ(run->accounts_json, version >= 2 ? R"({"unassigned":[]})" : "{}");
      EXPECT_EQ(log[0].actor, "alice");
    }
    EXPECT_EQ(org.accounts.size(), version >= 2 ? 1u : 0u);
    EXPECT_EQ(org.handshakes.size(), version >= 2 ? 1u : 0u);
    EXPECT_EQ(rate.has_value(), version >= 3);
    if (rate) {
      EXPECT_EQ(rate->rate, D("0.9214"));
    }
    EXPECT_EQ(used, version >= 4 ? D("12.5") : D("0"));
    // The migrated store takes new writes after its old rows.
    ASSERT_OK_AND_ASSIGN(
        int64_t id, store->RecordRun(SampleRun("2023-11", "{\"new\":1}"), Audit("run", "2023-11")));
    EXPECT_EQ(id, version >= 1 ? 2 : 1);
    ASSERT_OK_AND_ASSIGN(auto latest, store->LatestRun("2023-11"));
    ASSERT_TRUE(latest.has_value());
    EXPECT_EQ(latest->statements_json, "{\"new\":1}");
  }
}

TEST_P(StoreContract, RefusesAStoreFromANewerRelease) {
  { ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_)); }
  {
    ASSERT_OK_AND_ASSIGN(auto conn, OpenConnection(uri_));
    ASSERT_OK(conn->Exec("UPDATE schema_version SET version = 99"));
  }
  EXPECT_STATUS(Store::Open(uri_), StatusCode::kFailedPrecondition, "upgrade rebill");
}

TEST_P(StoreContract, APeriodIsHeldByOneCommandAtATime) {
  ASSERT_OK_AND_ASSIGN(auto first, Store::Open(uri_));
  ASSERT_OK_AND_ASSIGN(auto second, Store::Open(uri_));
  ASSERT_OK(first->LockPeriod("2023-11"));
  EXPECT_STATUS(second->LockPeriod("2023-11"), StatusCode::kConflict,
                "another rebill command is working on 2023-11");
  ASSERT_OK(second->LockPeriod("2023-12"));
  first.reset();  // the command ends (or dies): its period is free again
  // A PostgreSQL server frees a closed session's locks a moment after the client hangs up.
  Status again = second->LockPeriod("2023-11");
  for (int i = 0; i < 100 && again.code() == StatusCode::kConflict; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    again = second->LockPeriod("2023-11");
  }
  ASSERT_OK(again);
}

TEST_P(StoreContract, ConcurrentWritersAreSerialized) {
  constexpr int kWriters = 4;
  constexpr int kRunsEach = 8;
  { ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_)); }
  std::vector<std::string> errors(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      Result<std::unique_ptr<Store>> store = Store::Open(uri_);
      if (!store.ok()) {
        errors[w] = store.status().ToString();
        return;
      }
      for (int i = 0; i < kRunsEach; ++i) {
        RunRecord run = SampleRun("2023-11", "{\"writer\":" + std::to_string(w) + "}");
        run.credits_used = {{"acme", "launch", D("1")}};
        Result<int64_t> id = (*store)->RecordRun(run, Audit("run", "2023-11"));
        if (!id.ok()) {
          errors[w] = id.status().ToString();
          return;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
  ASSERT_OK_AND_ASSIGN(int64_t runs, store->CountRuns());
  EXPECT_EQ(runs, kWriters * kRunsEach);
  ASSERT_OK_AND_ASSIGN(auto log, store->AuditLog());
  EXPECT_EQ(log.size(), static_cast<size_t>(kWriters * kRunsEach));
  // The draft and the ledger are the last committed run's, never a mix.
  ASSERT_OK_AND_ASSIGN(auto problems, store->Check(dir_.path()));
  EXPECT_TRUE(problems.empty()) << problems.front();
  ASSERT_OK_AND_ASSIGN(Decimal used, store->CreditUsedBefore("acme", "launch", "2023-12"));
  EXPECT_EQ(used, D("1"));
}

TEST_P(StoreContract, CheckFindsMissingAndAlteredMonthFiles) {
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
  fs::create_directories(dir_.path() + "/months");
  ASSERT_OK_AND_ASSIGN(std::string sha,
                       WriteMonthFile(dir_.path() + "/months/good.month", SampleMonth()));
  MonthRecord good = SampleMonthRecord("2023-11", "months/good.month");
  good.month_sha256 = sha;
  MonthRecord missing = SampleMonthRecord("2023-10", "months/missing.month");
  ASSERT_OK(
      ::rebill::testing::StatusOf(store->ReplaceMonths({good}, Audit("ingest", "2023-11"), {})));
  ASSERT_OK_AND_ASSIGN(auto problems, store->Check(dir_.path()));
  EXPECT_TRUE(problems.empty()) << problems.front();
  ASSERT_OK(
      ::rebill::testing::StatusOf(store->ReplaceMonths({missing}, Audit("ingest", "2023-10"), {})));
  ASSERT_OK_AND_ASSIGN(problems, store->Check(dir_.path()));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("missing.month"), std::string::npos) << problems[0];
  // Another valid month file than the one recorded is caught by its checksum.
  NormalizedMonth other = SampleMonth();
  other.lines.pop_back();
  ASSERT_OK(::rebill::testing::StatusOf(WriteMonthFile(dir_.path() + "/months/good.month", other)));
  ASSERT_OK_AND_ASSIGN(problems, store->Check(dir_.path()));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[1].find("checksum differs"), std::string::npos) << problems[1];
}

// A store with a row in every table.
void FillStore(Store& store) {
  ASSERT_OK(::rebill::testing::StatusOf(
      store.ReplaceMonths({SampleMonthRecord("2023-11", "months/a.month"),
                           SampleMonthRecord("2023-10", "months/b.month")},
                          Audit("ingest", "2023-11"), SampleIngest())));
  for (int i = 0; i < 11; ++i) {  // ids past 9, where text and number order differ
    RunRecord run = SampleRun(i % 2 == 0 ? "2023-11" : "2023-10",
                              "{\"run\":" + std::to_string(i) + ",\"text\":\"é ü ✓ \\\"q\\\"\"}");
    run.credits_used = {{"acme", "launch", D("0.000000000000000001")}};
    ASSERT_OK(::rebill::testing::StatusOf(store.RecordRun(run, Audit("run", run.period))));
  }
  OrgAccount a;
  a.id = "011111111111";
  a.name = "Acme 'prod'";
  a.tags = {{"customer", "acme"}};
  ASSERT_OK(store.ReplaceOrgAccounts({a}, Audit("accounts import", "")));
  ASSERT_OK(store.UpsertHandshakes({{"h-1", "INVITE", "OPEN", "", "a@b.c", 1, 2}},
                                   Audit("accounts import", "")));
  ASSERT_OK(store.ReplaceFxRates("2023-11", {{"USD", "EUR", D("0.921512345678901234"), "ECB"}},
                                 Audit("fx import", "2023-11")));
}

// The export without the audit entries that imports add.
std::vector<std::string> ExportLines(Store& store, int* imports) {
  std::ostringstream out;
  EXPECT_OK(store.Export(out));
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  *imports = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"action\":\"import\"") != std::string::npos) {
      ++*imports;
      continue;
    }
    lines.push_back(line);
  }
  return lines;
}

TEST(StoreExport, RoundTripsSqliteToPostgresToSqlite) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto original, Store::Open(dir.path() + "/original.db"));
  FillStore(*original);
  int imports = 0;
  std::vector<std::string> lines = ExportLines(*original, &imports);
  EXPECT_EQ(imports, 0);
  ASSERT_GT(lines.size(), 30u);
  std::ostringstream text;
  ASSERT_OK(original->Export(text));

  ASSERT_OK_AND_ASSIGN(std::string url, rebill::testing::PostgresServer::NewDatabase());
  ASSERT_OK_AND_ASSIGN(auto postgres, Store::Open(url));
  std::istringstream in(text.str());
  ASSERT_OK_AND_ASSIGN(size_t rows, postgres->Import(in, "export.jsonl", Audit("import", "")));
  EXPECT_EQ(rows, lines.size() - 1);  // all but the header
  EXPECT_EQ(ExportLines(*postgres, &imports), lines);
  EXPECT_EQ(imports, 1);
  // New rows continue after the imported ids.
  ASSERT_OK_AND_ASSIGN(int64_t id,
                       postgres->RecordRun(SampleRun("2023-12", "{}"), Audit("run", "2023-12")));
  EXPECT_EQ(id, 12);

  // And back, from a fresh export of what PostgreSQL holds before that run.
  ASSERT_OK_AND_ASSIGN(std::string url2, rebill::testing::PostgresServer::NewDatabase());
  ASSERT_OK_AND_ASSIGN(auto postgres2, Store::Open(url2));
  std::istringstream in2(text.str());
  ASSERT_OK(
      ::rebill::testing::StatusOf(postgres2->Import(in2, "export.jsonl", Audit("import", ""))));
  std::ostringstream from_postgres;
  ASSERT_OK(postgres2->Export(from_postgres));
  ASSERT_OK_AND_ASSIGN(auto back, Store::Open(dir.path() + "/back.db"));
  std::istringstream in3(from_postgres.str());
  ASSERT_OK(::rebill::testing::StatusOf(back->Import(in3, "export.jsonl", Audit("import", ""))));
  EXPECT_EQ(ExportLines(*back, &imports), lines);
  EXPECT_EQ(imports, 2);
  ASSERT_OK_AND_ASSIGN(auto run, back->LatestRun("2023-11"));
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->id, 11);
  EXPECT_EQ(run->statements_json, "{\"run\":10,\"text\":\"é ü ✓ \\\"q\\\"\"}");
}

TEST_P(StoreContract, NullsStayNullThroughExportAndImport) {
  // A table a later schema might add, with a nullable column.
  auto add_table = [](const std::string& uri) {
    ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri));
    ASSERT_OK_AND_ASSIGN(auto conn, OpenConnection(uri));
    ASSERT_OK(conn->Exec(conn->Dialectize("CREATE TABLE notes (id {id}, note TEXT)")));
  };
  add_table(uri_);
  {
    ASSERT_OK_AND_ASSIGN(auto conn, OpenConnection(uri_));
    Statement s(conn.get(), "INSERT INTO notes (note) VALUES (?), (?)");
    ASSERT_OK(s.status());
    s.BindNull(1);
    s.Bind(2, "");
    ASSERT_OK(StepDone(conn.get(), s));
    Statement read(conn.get(), "SELECT note FROM notes ORDER BY id");
    ASSERT_EQ(read.Step(), kRow);
    EXPECT_TRUE(read.IsNull(0));
    ASSERT_EQ(read.Step(), kRow);
    EXPECT_FALSE(read.IsNull(0));
    EXPECT_EQ(read.Text(0), "");
    EXPECT_EQ(read.Step(), kDone);
  }
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
  std::ostringstream text;
  ASSERT_OK(store->Export(text));
  EXPECT_NE(text.str().find(R"({"table":"notes","row":{"id":"1","note":null}})"), std::string::npos)
      << text.str();
  ASSERT_OK_AND_ASSIGN(std::string other, AnotherStore(GetParam(), dir_.path(), "other"));
  add_table(other);
  ASSERT_OK_AND_ASSIGN(auto copy, Store::Open(other));
  std::istringstream in(text.str());
  ASSERT_OK(::rebill::testing::StatusOf(copy->Import(in, "x.jsonl", Audit("import", ""))));
  std::ostringstream again;
  ASSERT_OK(copy->Export(again));
  EXPECT_NE(again.str().find(R"({"table":"notes","row":{"id":"1","note":null}})"),
            std::string::npos);
  EXPECT_NE(again.str().find(R"({"table":"notes","row":{"id":"2","note":""}})"), std::string::npos);
}

TEST_P(StoreContract, ImportRefusesANonEmptyStoreAndBadLines) {
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
  ASSERT_OK(store->ReplaceFxRates("2023-11", {{"USD", "EUR", D("0.9"), "ECB"}},
                                  Audit("fx import", "2023-11")));
  std::ostringstream text;
  ASSERT_OK(store->Export(text));
  std::istringstream again(text.str());
  EXPECT_STATUS(store->Import(again, "x.jsonl", Audit("import", "")),
                StatusCode::kFailedPrecondition, "is not empty");

  ASSERT_OK_AND_ASSIGN(std::string other, AnotherStore(GetParam(), dir_.path(), "other"));
  ASSERT_OK_AND_ASSIGN(auto empty, Store::Open(other));
  std::string header = text.str().substr(0, text.str().find('\n') + 1);
  std::istringstream bad(header + "{\"table\":\"fx_rates\",\"row\":{\"period\":\"2023-11\"}}\n" +
                         "{\"table\":\"nope; DROP TABLE runs\",\"row\":{}}\n");
  Result<size_t> result = empty->Import(bad, "x.jsonl", Audit("import", ""));
  EXPECT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("x.jsonl:2"), std::string::npos)
      << result.status().ToString();
  // Nothing of a failed import stays.
  ASSERT_OK_AND_ASSIGN(auto rate, empty->FindFxRate("2023-11", "USD", "EUR"));
  EXPECT_FALSE(rate.has_value());
  std::istringstream not_export("hello\n");
  EXPECT_STATUS(empty->Import(not_export, "x.jsonl", Audit("import", "")),
                StatusCode::kInvalidInput, "not a rebill export");
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

TEST_P(StoreContract, InvoiceNumbersAreGaplessAcrossFailedTransactions) {
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
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

TEST_P(StoreContract, AdjustmentsWaitForTheNextOpenStatement) {
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(uri_));
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

}  // namespace
}  // namespace rebill::store
