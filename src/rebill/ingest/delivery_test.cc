// Delivery layouts: which files of a mirrored S3 bucket are read, and the manifest parser on the
// real legacy manifests in ../shared/data.
#include "rebill/ingest/delivery.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "rebill/ingest/ingest.h"
#include "rebill/ingest/row_parser_internal.h"

namespace rebill::ingest {
namespace {
namespace fs = std::filesystem;

class Mirror {
 public:
  Mirror() {
    std::string pattern = (fs::temp_directory_path() / "rebill-delivery-XXXXXX").string();
    root_ = mkdtemp(pattern.data());
  }
  ~Mirror() { fs::remove_all(root_); }
  Mirror(const Mirror&) = delete;
  Mirror& operator=(const Mirror&) = delete;

  const std::string& root() const { return root_; }
  std::string Write(const std::string& relative, const std::string& text) {
    fs::path path = fs::path(root_) / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  // A legacy manifest for report `cur`, period 2026-10, listing `keys`.
  std::string LegacyManifest(const std::string& relative, const std::string& assembly,
                             const std::vector<std::string>& keys) {
    std::string list;
    for (const std::string& k : keys) list += (list.empty() ? "\"" : ",\"") + k + "\"";
    return Write(relative, R"({"assemblyId":")" + assembly +
                               R"(","account":"999999999999","reportName":"cur",)"
                               R"("columns":[{"category":"lineItem","name":"UnblendedCost",)"
                               R"("type":"BigDecimal"}],)"
                               R"("billingPeriod":{"start":"20261001T000000.000Z",)"
                               R"("end":"20261101T000000.000Z"},"reportKeys":[)" +
                               list + "]}");
  }

 private:
  std::string root_;
};

std::string Tail(const std::string& path, const std::string& root) {
  return fs::relative(path, root).string();
}

TEST(Delivery, CreateNewReadsOnlyTheAssemblyThePointerManifestNames) {
  Mirror m;
  const std::string p = "bucket/cur/cur/20261001-20261101/";
  m.Write(p + "aaa/cur-1.csv.gz", "old");
  m.Write(p + "bbb/cur-1.csv.gz", "new part 1");
  m.Write(p + "bbb/cur-2.csv.gz", "new part 2");
  m.LegacyManifest(p + "aaa/cur-Manifest.json", "aaa",
                   {"cur/cur/20261001-20261101/aaa/cur-1.csv.gz"});
  std::vector<std::string> newest = {"cur/cur/20261001-20261101/bbb/cur-1.csv.gz",
                                     "cur/cur/20261001-20261101/bbb/cur-2.csv.gz"};
  m.LegacyManifest(p + "bbb/cur-Manifest.json", "bbb", newest);
  m.LegacyManifest(p + "cur-Manifest.json", "bbb", newest);

  Result<std::vector<Delivery>> found = FindDeliveries(m.root());
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_EQ(found->size(), 1u);
  const Delivery& d = found->front();
  EXPECT_EQ(d.layout, "legacy-create-new");
  ASSERT_TRUE(d.manifest.has_value());
  EXPECT_EQ(d.manifest->delivery_id, "bbb");
  EXPECT_EQ(Tail(d.manifest->path, m.root()), p + "cur-Manifest.json");
  ASSERT_EQ(d.files.size(), 2u);
  EXPECT_EQ(Tail(d.files[0], m.root()), p + "bbb/cur-1.csv.gz");
  EXPECT_EQ(Tail(d.files[1], m.root()), p + "bbb/cur-2.csv.gz");
  ASSERT_EQ(d.superseded.size(), 1u);
  EXPECT_EQ(Tail(d.superseded[0], m.root()), p + "aaa/cur-Manifest.json");
}

TEST(Delivery, OverwriteLayoutAndAMirrorStartingBelowTheBucket) {
  Mirror m;
  // The user copied only the period folder; the manifest's keys are full S3 keys all the same.
  m.Write("20261001-20261101/cur-00001.csv.gz", "x");
  m.LegacyManifest("20261001-20261101/cur-Manifest.json", "ccc",
                   {"s3://bucket/prefix/cur/20261001-20261101/cur-00001.csv.gz"});
  Result<std::vector<Delivery>> found = FindDeliveries(m.root());
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().layout, "legacy-overwrite");
  ASSERT_EQ(found->front().files.size(), 1u);
  EXPECT_EQ(Tail(found->front().files[0], m.root()), "20261001-20261101/cur-00001.csv.gz");
}

TEST(Delivery, DataExportsLayoutTakesThePeriodFromThePartitionFolder) {
  Mirror m;
  m.Write("exp/data/BILLING_PERIOD=2026-10/exp-00001.csv.gz", "x");
  m.Write("exp/data/BILLING_PERIOD=2026-10/exp-00002.csv.gz", "not listed");
  m.Write(
      "exp/metadata/BILLING_PERIOD=2026-10/exp-Manifest.json",
      R"({"executionId":"e-1","exportName":"exp","columns":[{"name":"bill_payer_account_id",)"
      R"("type":"string"}],"dataFiles":["s3://b/exp/data/BILLING_PERIOD=2026-10/exp-00001.csv.gz"]})");
  Result<std::vector<Delivery>> found = FindDeliveries(m.root());
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_EQ(found->size(), 1u);
  const Delivery& d = found->front();
  EXPECT_EQ(d.layout, "data-exports");
  EXPECT_EQ(d.manifest->delivery_id, "e-1");
  EXPECT_EQ(d.manifest->report_name, "exp");
  ASSERT_TRUE(d.manifest->period.has_value());
  EXPECT_EQ(d.manifest->period->ToString(), "2026-10");
  ASSERT_EQ(d.manifest->columns.size(), 1u);
  EXPECT_EQ(d.manifest->columns[0].name, "bill_payer_account_id");
  ASSERT_EQ(d.files.size(), 1u);  // the unlisted file is not read
  EXPECT_EQ(Tail(d.files[0], m.root()), "exp/data/BILLING_PERIOD=2026-10/exp-00001.csv.gz");
}

TEST(Delivery, AListedFileThatIsMissingNamesTheManifestAndTheKey) {
  Mirror m;
  m.Write("cur/20261001-20261101/cur-1.csv.gz", "x");
  std::string manifest = m.LegacyManifest(
      "cur/20261001-20261101/cur-Manifest.json", "ddd",
      {"cur/20261001-20261101/cur-1.csv.gz", "cur/20261001-20261101/cur-2.csv.gz"});
  Result<std::vector<Delivery>> found = FindDeliveries(m.root());
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(found.status().message().find(manifest), std::string::npos);
  EXPECT_NE(found.status().message().find("cur-2.csv.gz"), std::string::npos);
}

TEST(Delivery, SeveralAssembliesWithoutAPointerManifestAreAnError) {
  Mirror m;
  const std::string p = "cur/20261001-20261101/";
  m.Write(p + "aaa/cur-1.csv.gz", "a");
  m.Write(p + "bbb/cur-1.csv.gz", "b");
  m.LegacyManifest(p + "aaa/cur-Manifest.json", "aaa", {p + "aaa/cur-1.csv.gz"});
  m.LegacyManifest(p + "bbb/cur-Manifest.json", "bbb", {p + "bbb/cur-1.csv.gz"});
  Result<std::vector<Delivery>> found = FindDeliveries(m.root());
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.status().message().find("2 deliveries (aaa, bbb)"), std::string::npos)
      << found.status().message();

  // One assembly alone is unambiguous.
  fs::remove_all(fs::path(m.root()) / p / "aaa");
  found = FindDeliveries(m.root());
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->front().manifest->delivery_id, "bbb");
}

TEST(Delivery, AFolderWithoutManifestsIsReadFileByFile) {
  Mirror m;
  m.Write("b/2.csv.gz", "x");
  m.Write("a/1.csv", "x");
  m.Write("notes.txt", "not a billing file");
  Result<std::vector<Delivery>> found = FindDeliveries(m.root());
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].layout, "file");
  EXPECT_EQ(Tail((*found)[0].files[0], m.root()), "a/1.csv");
  EXPECT_EQ(Tail((*found)[1].files[0], m.root()), "b/2.csv.gz");

  Result<std::vector<Delivery>> missing = FindDeliveries(m.root() + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(Delivery, BadManifestsNameTheFile) {
  Mirror m;
  std::string broken = m.Write("x/20261001-20261101/cur-Manifest.json", "{not json");
  Result<Manifest> parsed = ReadManifest(broken);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find(broken), std::string::npos);
  std::string no_keys = m.Write("y-Manifest.json", R"({"assemblyId":"a"})");
  parsed = ReadManifest(no_keys);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("reportKeys"), std::string::npos);
  std::string bad_period =
      m.Write("z-Manifest.json", R"({"billingPeriod":{"start":"soon"},"reportKeys":["a.csv"]})");
  parsed = ReadManifest(bad_period);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("billingPeriod.start"), std::string::npos);
}

// The real (Netflix ICE) legacy manifests: columns with and without types, billing periods.
TEST(Delivery, ReadsTheRealLegacyManifests) {
  const char* root = std::getenv("REBILL_SHARED_DATA");
  std::string dir = std::string(root != nullptr ? root : "") + "/ice/src/test/resources/";
  if (root == nullptr || !fs::exists(dir)) GTEST_SKIP() << dir << " is not there";

  Result<Manifest> m = ReadManifest(dir + "manifest-2019-12.json");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->columns.size(), 275u);
  EXPECT_EQ(m->columns[0].name, "identity/LineItemId");
  EXPECT_EQ(m->columns[0].type, "String");
  ASSERT_TRUE(m->period.has_value());
  EXPECT_EQ(m->period->ToString(), "2019-12");
  EXPECT_EQ(m->report_name, "ReportName");
  EXPECT_TRUE(m->keys.empty());

  m = ReadManifest(dir + "manifestTest.json");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->period->ToString(), "2017-08");
  EXPECT_EQ(m->delivery_id, "abcdefgh-e98d-48d6-86b4-29967358fe6c");
  ASSERT_EQ(m->keys.size(), 2u);
  EXPECT_EQ(m->keys[1],
            "hourly/hourly-cost-and-usage/20170801-20170901/abcdefgh-e98d-48d6-86b4-29967358fe6c/"
            "hourly-cost-and-usage-02.csv.gz");
  EXPECT_TRUE(m->columns[0].type.empty());  // older manifests carry no types
}

TEST(Delivery, TheManifestBoundsTheRowsItsFileMayHold) {
  Mirror m;
  std::string csv =
      m.Write("cur.csv",
              "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
              "lineItem/LineItemType,lineItem/UnblendedCost,pricing/publicOnDemandCost\n"
              "999999999999,2026-10-01T00:00:00Z,111111111111,Usage,1.50,\n"        // row 1: fine
              "999999999999,2026-10-01T00:00:00Z,111111111111,Usage,2.00,n/a\n"     // row 2: type
              "999999999999,2026-09-01T00:00:00Z,111111111111,Usage,3.00,3.00\n");  // row 3: period
  Manifest manifest;
  manifest.path = m.root() + "/cur-Manifest.json";
  manifest.period = BillingPeriod::Parse("2026-10").value();
  manifest.columns = {{"lineItem/UnblendedCost", "BigDecimal"},
                      {"pricing/publicOnDemandCost", "OptionalBigDecimal"},
                      {"lineItem/NotInTheFile", "String"}};
  IngestOptions options;
  options.manifest = &manifest;
  RejectSink rejects(RejectPolicy::SkipUpTo(10));
  Result<IngestedFile> file = ReadBillingFile(csv, options, rejects);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_EQ(file->lines.size(), 1u);
  EXPECT_EQ(file->lines[0].cost.unblended, Decimal::Parse("1.50").value());
  ASSERT_EQ(rejects.rejects().size(), 2u);
  EXPECT_EQ(rejects.rejects()[0].row, 2u);
  EXPECT_EQ(rejects.rejects()[0].kind, "manifest type");
  EXPECT_EQ(rejects.rejects()[0].column, "pricing/publicOnDemandCost");
  EXPECT_EQ(rejects.rejects()[1].row, 3u);
  EXPECT_EQ(rejects.rejects()[1].kind, "outside period");
  ASSERT_EQ(file->warnings.size(), 1u);
  EXPECT_NE(file->warnings[0].find("lineItem/NotInTheFile"), std::string::npos);
}

TEST(RoundToScale, RoundsHalfEvenBeyondEighteenDigitsAndOnlyThen) {
  auto text = [](std::string_view in) {
    std::optional<Decimal> d = RoundToScale(in);
    return d ? d->ToString() : std::string("none");
  };
  EXPECT_EQ(text("0.0010684211984159026"), "0.001068421198415903");
  EXPECT_EQ(text("0.0000000000000000005"), "0");                     // half to even (0)
  EXPECT_EQ(text("0.0000000000000000015"), "0.000000000000000002");  // half to even (2)
  EXPECT_EQ(text("0.00000000000000000150001"), "0.000000000000000002");
  EXPECT_EQ(text("-0.0000000000000000016"), "-0.000000000000000002");  // away from zero
  EXPECT_EQ(text("4.4450735368910374e-05"), "0.00004445073536891");
  EXPECT_EQ(text("4.4450735368910574e-05"), "0.000044450735368911");  // ...910 574 rounds up
  EXPECT_EQ(text("1.5e-18"), "0.000000000000000002");
  EXPECT_EQ(text("1.5e-17"), "none");  // fits: the exact parser reads it
  EXPECT_EQ(text("12.5"), "none");
  EXPECT_EQ(text("abc"), "none");
  EXPECT_EQ(text("1.0x00000000000000000001"), "none");
}

}  // namespace
}  // namespace rebill::ingest
