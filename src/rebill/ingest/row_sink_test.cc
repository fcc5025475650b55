// RowSink::ProcessShaped against RowSink::Process: rows fed by shape (as a Parquet row group's
// dictionary-encoded cells give them) must add up to exactly the lines, rejects, display scale
// and rounding counts of the same rows parsed one by one. Likewise amounts given as binary
// doubles (a Parquet DOUBLE column) against the text std::to_chars writes for them.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "rebill/ingest/row_sink_internal.h"

namespace rebill::ingest {
namespace {

const std::vector<std::string> kHeader = {
    "bill/PayerAccountId",          "bill/BillingPeriodStartDate",
    "lineItem/UsageAccountId",      "lineItem/LineItemType",
    "lineItem/UsageStartDate",      "lineItem/UsageEndDate",
    "lineItem/ProductCode",         "lineItem/UnblendedCost",
    "lineItem/UsageAmount",         "reservation/ReservationARN",
    "savingsPlan/SavingsPlanARN",   "savingsPlan/SavingsPlanEffectiveCost",
    "pricing/publicOnDemandCost",   "lineItem/LineItemDescription",
    "resourceTags/user:CostCenter", "lineItem/ResourceId",
};

// Few values per column, so that rows repeat their shape; bad text in the dimensions and in the
// measures, so that first rows of a shape and later ones are both rejected now and then.
std::vector<std::string> RandomRow(std::mt19937_64& rng) {
  auto pick = [&](std::initializer_list<const char*> values) {
    auto it = values.begin();
    std::advance(it, static_cast<long>(rng() % values.size()));
    return std::string(*it);
  };
  int day = 1 + static_cast<int>(rng() % 3);
  int hour = static_cast<int>(rng() % 24);
  char start[32], end[32];
  std::snprintf(start, sizeof start, "2026-10-%02dT%02d:00:00Z", day, hour);
  std::snprintf(end, sizeof end, "2026-10-%02dT%02d:59:59Z", day, hour);
  return {
      "999988887777",
      pick({"2026-10-01T00:00:00Z", "2026-10-01T00:00:00Z", "2026-10-01T00:00:00Z", "October"}),
      pick({"011111111111", "022222222222"}),
      pick({"Usage", "Fee", "SavingsPlanCoveredUsage", "DiscountedUsage"}),
      rng() % 40 == 0 ? "yesterday" : start,
      end,
      pick({"AmazonEC2", "AmazonS3"}),
      pick({"1.5", "0.0000300172", "2E-3", "0.0010684211984159026", "", "x", "-0.25"}),
      pick({"1", "0.5", "3.0E-1", ""}),
      pick({"", "", "arn:aws:ec2:ri/1"}),
      pick({"", "arn:aws:savingsplans::sp/1"}),
      pick({"", "0.75", "bad"}),
      pick({"2", "0.1234567890123"}),
      pick({"EC2 hours", "S3 storage"}),
      pick({"", "cc-100", "cc-200"}),
      "i-" + std::to_string(rng() % 1000),  // read by no one: must not split shapes
  };
}

struct Read {
  std::vector<CurLine> lines;
  std::vector<std::string> rejects;
  int display_scale = 0;
  uint64_t rounded_values = 0;
};

Read Finish(std::unique_ptr<RowSink> sink) {
  Read out;
  for (const Reject& r : sink->rejects().TakeRejects()) {
    out.rejects.push_back(r.kind + ": " + r.ToString());
  }
  out.display_scale = sink->display_scale();
  out.rounded_values = sink->rounded_values();
  std::vector<std::unique_ptr<RowSink>> sinks;
  sinks.push_back(std::move(sink));
  out.lines = MergeSinks(sinks).lines;
  return out;
}

void ExpectSameRead(const Read& got, const Read& expected) {
  EXPECT_EQ(got.rejects, expected.rejects);
  EXPECT_EQ(got.display_scale, expected.display_scale);
  EXPECT_EQ(got.rounded_values, expected.rounded_values);
  ASSERT_EQ(got.lines.size(), expected.lines.size());
  for (size_t i = 0; i < got.lines.size(); ++i) {
    ASSERT_EQ(got.lines[i], expected.lines[i]) << "line " << i;
  }
}

TEST(RowSinkTest, RowsReadByShapeAddUpLikeRowsReadOneByOne) {
  std::mt19937_64 rng(7);
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 20000; ++i) rows.push_back(RandomRow(rng));

  std::string path = "shapes.parquet";
  std::vector<TypedColumn> no_types;
  IngestOptions options;
  options.tag_keys = {"user:CostCenter"};
  options.time_cuts = {1790942400};  // 2026-10-02T12:00:00Z: a day cut in two
  RowContext context{Format::kLegacyCsv, false, false, path, kHeader, no_types, options};
  auto one_by_one = RowSink::Make(context);
  auto by_shape = RowSink::Make(context);
  // Shapes numbered across batches (KeepShapes): a shape's first row in a later batch is not
  // parsed again.
  auto across = RowSink::Make(context);
  ASSERT_TRUE(one_by_one.ok() && by_shape.ok() && across.ok());

  // A row's shape is the text of every column the parser reads but its measures.
  std::vector<int> used = (*by_shape)->parser().UsedColumns();
  std::vector<int> measures = (*by_shape)->parser().MeasureColumns();
  ASSERT_FALSE(measures.empty());
  std::vector<int> identity;
  for (int c : used) {
    if (std::find(measures.begin(), measures.end(), c) == measures.end()) identity.push_back(c);
  }

  constexpr size_t kBatch = 3000;  // row groups: shapes are numbered afresh in each
  size_t repeated = 0;
  std::map<std::vector<std::string>, uint32_t> all_shapes;
  for (size_t first = 0; first < rows.size(); first += kBatch) {
    size_t last = std::min(rows.size(), first + kBatch);
    std::map<std::vector<std::string>, uint32_t> shapes;
    std::vector<uint32_t> shape_of;
    std::vector<uint32_t> shape_across;
    for (size_t r = first; r < last; ++r) {
      std::vector<std::string> key;
      for (int c : identity) key.push_back(rows[r][static_cast<size_t>(c)]);
      auto [it, added] = shapes.emplace(key, static_cast<uint32_t>(shapes.size()));
      if (!added) ++repeated;
      shape_of.push_back(it->second);
      shape_across.push_back(
          all_shapes.emplace(key, static_cast<uint32_t>(all_shapes.size())).first->second);
    }
    (*by_shape)->StartShapes(shapes.size());
    (*across)->KeepShapes(all_shapes.size());
    for (size_t r = first; r < last; ++r) {
      std::vector<std::string_view> fields(rows[r].begin(), rows[r].end());
      ASSERT_TRUE((*one_by_one)->Process(fields, r + 1).ok());
      ASSERT_TRUE((*by_shape)->ProcessShaped(fields, r + 1, shape_of[r - first]).ok());
      ASSERT_TRUE((*across)->ProcessShaped(fields, r + 1, shape_across[r - first]).ok());
    }
  }
  ASSERT_GT(repeated, rows.size() / 2);
  ASSERT_LT(all_shapes.size() * 2, rows.size());  // shapes come back in later batches

  Read expected = Finish(std::move(*one_by_one));
  // The inputs reach every path: rejects, and lines of many rows split by day and by the cut.
  ASSERT_GT(expected.rejects.size(), 1000u);
  ASSERT_GT(expected.lines.size(), 100u);
  ASSERT_GT(expected.rounded_values, 0u);
  ExpectSameRead(Finish(std::move(*by_shape)), expected);
  ExpectSameRead(Finish(std::move(*across)), expected);
}

// `odd_values` adds doubles whose digits only to_chars finds: 17 digits, more than 18 fraction
// digits (rounded, which makes the display scale 18), too large for a Decimal, not a number,
// one bit away from the amount before.
void ExpectBinaryAmountsReadLikeText(bool odd_values) {
  std::mt19937_64 rng(11);
  std::string path = "amounts.parquet";
  std::vector<TypedColumn> no_types;
  IngestOptions options;
  RowContext context{Format::kLegacyCsv, false, false, path, kHeader, no_types, options};
  auto as_text = RowSink::Make(context);
  auto as_binary = RowSink::Make(context);
  ASSERT_TRUE(as_text.ok() && as_binary.ok());
  std::vector<int> numbers = (*as_binary)->parser().NumberColumns();
  // UnblendedCost, UsageAmount, SavingsPlanEffectiveCost and publicOnDemandCost.
  ASSERT_EQ(numbers.size(), 4u);
  // The binary side reads each row as a batch of one row, as a Parquet row group holds it.
  std::vector<parquet::TextColumn> columns(kHeader.size());
  ColumnBatch batch;
  for (const parquet::TextColumn& column : columns) batch.push_back(&column);

  double previous = 1;
  auto amount = [&]() -> double {
    switch (rng() % (odd_values ? 9 : 4)) {
      case 0:
        return static_cast<double>(rng() % 100000000) / 1e8;
      case 1:
        return -static_cast<double>(rng() % 1000) / 8;
      case 2:
        return 2734.0;
      case 3:
        return static_cast<double>(rng() % 1000000) / 1e6;
      case 4:
        return static_cast<double>(rng() % 1000) / 7;
      case 5:
        return static_cast<double>(rng() % 100) * 1e-13 / 3;
      case 6:
        return 1e30;
      case 7:  // differs from the last amount in its last bit only
        return std::nextafter(previous, 1e300);
      default:
        return std::nan("");
    }
  };
  for (uint64_t row = 1; row <= 20000; ++row) {
    std::vector<std::string> text = RandomRow(rng);
    for (size_t at = 0; at < kHeader.size(); ++at) {
      columns[at].text = text[at];
      columns[at].spans = {{0, static_cast<uint32_t>(text[at].size())}};
      columns[at].is_null = {0};
      columns[at].doubles.clear();
    }
    for (int c : numbers) {
      auto at = static_cast<size_t>(c);
      double value = 0;
      bool null = rng() % 10 == 0;
      if (null) {
        text[at].clear();
      } else {
        value = previous = amount();
        char buf[32];
        text[at].assign(buf, std::to_chars(buf, buf + sizeof buf, value).ptr);
      }
      columns[at].text.clear();
      columns[at].spans = {{0, 0}};
      columns[at].is_null = {static_cast<uint8_t>(null ? 1 : 0)};
      columns[at].doubles = {value};
    }
    std::vector<std::string_view> text_fields(text.begin(), text.end());
    ASSERT_TRUE((*as_text)->Process(text_fields, row).ok());
    ASSERT_TRUE((*as_binary)->Process(RowCells(batch, 0), row).ok());
  }

  Read expected = Finish(std::move(*as_text));
  ASSERT_GT(expected.rejects.size(), 1000u);
  ASSERT_GT(expected.lines.size(), 100u);
  ASSERT_EQ(expected.rounded_values > 0, odd_values);
  ASSERT_EQ(expected.display_scale, odd_values ? 18 : 8);
  ExpectSameRead(Finish(std::move(*as_binary)), expected);
}

TEST(RowSinkTest, AmountsGivenAsBinaryDoublesReadLikeTheirText) {
  ExpectBinaryAmountsReadLikeText(false);
  ExpectBinaryAmountsReadLikeText(true);
}

TEST(RowCellsTest, ARowOfABatchIsReadWhereTheColumnsHoldIt) {
  parquet::TextColumn text;  // two rows: "AmazonEC2", then null
  text.text = "AmazonEC2";
  text.spans = {{0, 9}, {0, 0}};
  text.is_null = {0, 1};
  parquet::TextColumn amounts;  // two rows: 1.5 as a binary double, then null
  amounts.spans = {{0, 0}, {0, 0}};
  amounts.is_null = {0, 1};
  amounts.doubles = {1.5, 0};
  ColumnBatch batch = {&text, &amounts, nullptr};  // the third column is not read

  RowCells first(batch, 0);
  EXPECT_EQ(first.size(), 3u);
  EXPECT_EQ(first.Text(0), "AmazonEC2");
  EXPECT_EQ(first.Double(0), nullptr);
  EXPECT_EQ(first.Text(1), "");
  ASSERT_NE(first.Double(1), nullptr);
  EXPECT_EQ(*first.Double(1), 1.5);
  EXPECT_EQ(first.Text(2), "");
  EXPECT_EQ(first.Double(2), nullptr);

  RowCells second(batch, 1);
  EXPECT_EQ(second.Text(0), "");
  EXPECT_EQ(second.Double(1), nullptr);  // a null amount has no value

  std::vector<std::string_view> fields = {"AmazonS3", "2.5"};
  RowCells record(fields);
  EXPECT_EQ(record.size(), 2u);
  EXPECT_EQ(record.Text(1), "2.5");
  EXPECT_EQ(record.Double(1), nullptr);  // a text record's amounts are text
}

}  // namespace
}  // namespace rebill::ingest
