#include "rebill/ingest/line_aggregator.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace rebill::ingest {
namespace {

const Timestamp kOct1 = TimestampFromCivil(2026, 10, 1);

CurLine Row(uint64_t row, int hour, const char* cost, const char* account = "111111111111") {
  CurLine line;
  line.period = BillingPeriod::Containing(kOct1);
  line.payer_account = "999999999999";
  line.usage_account = account;
  line.type_text = "Usage";
  line.product_code = "AmazonEC2";
  line.usage_type = "BoxUsage:t3.micro";
  line.operation = "RunInstances";
  line.region = "eu-west-1";
  line.pricing_unit = "Hrs";
  line.currency = "USD";
  line.usage_start = kOct1 + hour * 3600;
  line.usage_end = line.usage_start + 3600;
  line.usage_amount = D("1");
  Decimal c = D(cost);
  line.cost = {c, c, c, c + c};
  line.source_row = row;
  return line;
}

TEST(LineAggregatorTest, RowsOfOneDayAddUpExactly) {
  LineAggregator lines;
  lines.Add(Row(1, 0, "0.0000000001"));
  lines.Add(Row(2, 1, "0.0104"));
  lines.Add(Row(3, 23, "1E-18"));
  std::vector<CurLine> out = lines.Take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rows, 3u);
  EXPECT_EQ(out[0].source_row, 1u);
  EXPECT_EQ(out[0].usage_amount, D("3"));
  EXPECT_EQ(out[0].cost.unblended, D("0.010400000100000001"));
  EXPECT_EQ(out[0].cost.public_on_demand, D("0.020800000200000002"));
  EXPECT_EQ(out[0].usage_start, kOct1);
  EXPECT_EQ(out[0].usage_end, kOct1 + 24 * 3600);
}

TEST(LineAggregatorTest, EveryDimensionKeepsLinesApart) {
  LineAggregator lines;
  uint64_t row = 0;
  CurLine base = Row(++row, 0, "1");
  lines.Add(base);
  auto variant = [&](auto change) {
    CurLine line = Row(++row, 1, "1");
    change(line);
    lines.Add(line);
  };
  variant([](CurLine& l) { l.usage_account = "222222222222"; });
  variant([](CurLine& l) { l.payer_account = "888888888888"; });
  variant([](CurLine& l) { l.type = LineItemType::kTax; });
  variant([](CurLine& l) { l.type_text = "Mystery"; });
  variant([](CurLine& l) { l.billing_entity = "AWS Marketplace"; });
  variant([](CurLine& l) { l.bill_type = "Refund"; });
  variant([](CurLine& l) { l.product_code = "AmazonS3"; });
  variant([](CurLine& l) { l.product_name = "Amazon S3"; });
  variant([](CurLine& l) { l.usage_type = "BoxUsage:t3.large"; });
  variant([](CurLine& l) { l.operation = "RunInstances:0002"; });
  variant([](CurLine& l) { l.region = "us-east-1"; });
  variant([](CurLine& l) { l.description = "$0.0104 per hour"; });
  variant([](CurLine& l) { l.pricing_unit = "GB-Mo"; });
  variant([](CurLine& l) { l.currency = "EUR"; });
  variant([](CurLine& l) { l.commitment_arn = "arn:aws:savingsplans::1:savingsplan/x"; });
  variant([](CurLine& l) { l.invoice_id = "EUINGB26-1"; });
  variant([](CurLine& l) { l.tags = {{"user:CostCenter", "cc-1"}}; });
  variant([](CurLine& l) { l.tags = {{"user:CostCenter", "cc-2"}}; });
  variant([](CurLine& l) { l.tags = {{"user:Team", "cc-1"}}; });
  variant([](CurLine& l) { l.period = BillingPeriod::Containing(kOct1 + 40 * 86400); });
  variant([](CurLine& l) { l.usage_start = 0; });
  variant([](CurLine& l) { l.usage_start += 86400; });
  // ... and one that differs only in amounts and hour joins the first.
  variant([](CurLine& l) { l.cost.unblended = D("7"); });
  std::vector<CurLine> out = lines.Take();
  ASSERT_EQ(out.size(), row - 1);
  EXPECT_EQ(out[0].rows, 2u);
  EXPECT_EQ(out[0].cost.unblended, D("8"));
  for (size_t i = 1; i < out.size(); ++i) {
    EXPECT_EQ(out[i].rows, 1u) << i;
    EXPECT_EQ(out[i].source_row, i + 1) << "lines come in the order of their first row";
  }
}

TEST(LineAggregatorTest, ACutSplitsTheDay) {
  Timestamp noon = kOct1 + 12 * 3600;
  LineAggregator lines({noon, noon, kOct1 + 40 * 86400});
  EXPECT_EQ(lines.BucketStart(kOct1 + 3600), kOct1);
  EXPECT_EQ(lines.BucketStart(noon - 1), kOct1);
  EXPECT_EQ(lines.BucketStart(noon), noon);
  EXPECT_EQ(lines.BucketStart(kOct1 + 86400 + 3600), kOct1 + 86400);
  for (int hour = 0; hour < 24; ++hour) lines.Add(Row(static_cast<uint64_t>(hour) + 1, hour, "1"));
  std::vector<CurLine> out = lines.Take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].rows, 12u);
  EXPECT_EQ(out[0].usage_end, noon);
  EXPECT_EQ(out[1].rows, 12u);
  EXPECT_EQ(out[1].usage_start, noon);
  EXPECT_EQ(out[1].source_row, 13u);
}

// A shape's later rows go by AddTo while they stay in their line's bucket and by AddLike when
// they leave it: the lines are those of adding every row whole, other lines in between.
TEST(LineAggregatorTest, RowsAddedLikeALineMakeTheSameLines) {
  LineAggregator whole({kOct1 + 12 * 3600});
  LineAggregator like({kOct1 + 12 * 3600});
  uint32_t at = 0;
  for (uint64_t row = 1; row <= 200; ++row) {
    int hour = static_cast<int>(row / 3);  // across the noon cut and into later days
    CurLine line = Row(row, hour, row % 2 == 0 ? "0.5" : "1E-9");
    CurLine other = Row(1000 + row, hour, "7", "222222222222");
    whole.Add(line);
    whole.Add(other);
    if (row == 1) {
      at = like.Add(line);
    } else if (RowMeasures measures = RowMeasures::Of(line); !like.AddTo(at, measures)) {
      at = like.AddLike(at, measures);
    }
    like.Add(other);
  }
  std::vector<CurLine> expected = whole.Take();
  EXPECT_EQ(expected.size(), 2u * 4u);  // each account: the 1st cut at noon, the 2nd, the 3rd
  EXPECT_EQ(like.Take(), expected);
}

TEST(LineAggregatorTest, MergingPiecesEqualsAddingEveryRow) {
  LineAggregator whole;
  LineAggregator first;
  LineAggregator second;
  for (uint64_t row = 1; row <= 200; ++row) {
    CurLine line = Row(row, static_cast<int>(row % 48), row % 3 == 0 ? "0.5" : "0.25",
                       row % 2 == 0 ? "111111111111" : "011111111111");
    whole.Add(line);
    (row <= 120 ? first : second).Add(line);
  }
  EXPECT_EQ(LineAggregator::TakeAll({&first, &second}), whole.Take());
  EXPECT_EQ(first.size(), 0u);
  EXPECT_EQ(second.size(), 0u);
}

// Rows added soon (a few at a time) make the same lines as rows added at once, whatever the
// number of rows still pending when an Add, a Take or a TakeAll comes, and across the table's
// growth. They come as a row parser gives them: the texts as views beside a line whose own
// texts are left as they were (blank here), which must not be read.
TEST(LineAggregatorTest, RowsAddedSoonMakeTheSameLines) {
  for (uint64_t rows : {1u, 15u, 16u, 17u, 33u, 5000u}) {
    LineAggregator at_once;
    LineAggregator soon;
    LineAggregator first;
    LineAggregator second;
    for (uint64_t row = 1; row <= rows; ++row) {
      std::string account = std::to_string(100000000000 + row % 1777);
      CurLine line =
          Row(row, static_cast<int>(row % 72), row % 3 == 0 ? "0.5" : "0.25", account.c_str());
      at_once.Add(line);
      const LineTexts texts = LineTexts::Of(line);
      CurLine blank = line;
      LineTexts().CopyTo(&blank);
      // Now and then an Add among the rows added soon, as a shaped batch would do.
      if (row % 100 == 7) {
        soon.Add(line);
      } else {
        soon.AddSoon(blank, texts);
      }
      (row % 2 == 0 ? first : second).AddSoon(blank, texts);
    }
    std::vector<CurLine> expected = at_once.Take();
    ASSERT_GT(expected.size(), 0u);
    EXPECT_EQ(soon.Take(), expected) << rows << " rows";
    EXPECT_EQ(LineAggregator::TakeAll({&first, &second}), expected) << rows << " rows";
  }
}

TEST(LineAggregatorTest, ManyLinesAcrossTableGrowthAndMerges) {
  // Enough distinct lines for the table to grow several times and for the parts to be added up
  // and spelled out on two threads, each added to again later and some only in one part; the
  // reference is a plain map of (account, day).
  LineAggregator first;
  LineAggregator second;
  std::map<std::pair<std::string, int>, std::pair<uint64_t, Decimal>> expected;
  for (uint64_t row = 1; row <= 60000; ++row) {
    std::string account = std::to_string(100000000000 + row % 9001);
    int hour = static_cast<int>((row / 9001) % 3 * 24 + row % 24);
    CurLine line = Row(row, hour, "0.01", account.c_str());
    (row % 5 == 0 ? second : first).Add(line);
    auto& [rows, cost] = expected[{account, hour / 24}];
    rows += 1;
    cost += D("0.01");
  }
  std::vector<CurLine> out = LineAggregator::TakeAll({&first, &second});
  EXPECT_GT(out.size(), 20000u);
  ASSERT_EQ(out.size(), expected.size());
  uint64_t previous = 0;
  for (const CurLine& line : out) {
    auto it =
        expected.find({line.usage_account, static_cast<int>((line.usage_start - kOct1) / 86400)});
    ASSERT_NE(it, expected.end()) << line.usage_account;
    EXPECT_EQ(line.rows, it->second.first) << line.usage_account;
    EXPECT_EQ(line.cost.unblended, it->second.second) << line.usage_account;
    EXPECT_GT(line.source_row, previous) << "lines come in the order of their first row";
    previous = line.source_row;
  }
}

}  // namespace
}  // namespace rebill::ingest
