// Legacy CUR (CSV headers or Athena names) and CUR 2.0: the same columns under two spellings,
// plus CUR 2.0's JSON map cells.
#include <algorithm>
#include <array>

#include "rebill/ingest/cost_views.h"
#include "rebill/ingest/row_parser_internal.h"

namespace rebill::ingest {
namespace {

// The CUR columns ingest reads; everything else in the file is skipped.
enum Column : int {
  kPayer,
  kPeriodStart,
  kBillingEntity,
  kBillType,
  kInvoiceId,
  kUsageAccount,
  kLineItemType,
  kUsageStart,
  kUsageEnd,
  kProductCode,
  kUsageType,
  kOperation,
  kUsageAmount,
  kCurrency,
  kUnblendedCost,
  kNetUnblendedCost,
  kDescription,
  kProductName,
  kRegion,
  kRegionCode,
  kPublicOnDemandCost,
  kPricingUnit,
  kSpArn,
  kSpEffectiveCost,
  kSpTotalCommitment,
  kSpUsedCommitment,
  kRiArn,
  kRiEffectiveCost,
  kRiUnusedAmortizedUpfront,
  kRiUnusedRecurring,
  kProductMap,       // CUR 2.0 only
  kResourceTagsMap,  // CUR 2.0 only
  kCostCategoryMap,  // CUR 2.0 only
  kTagsMap,          // CUR 2.0 only
  kColumnCount,
};

// Legacy CSV headers; Athena and CUR 2.0 names are derived from them (AthenaColumnName).
constexpr std::string_view kLegacyNames[kColumnCount] = {
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "bill/BillingEntity",
    "bill/BillType",
    "bill/InvoiceId",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/Operation",
    "lineItem/UsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedCost",
    "lineItem/NetUnblendedCost",
    "lineItem/LineItemDescription",
    "product/ProductName",
    "product/region",
    "product/regionCode",
    "pricing/publicOnDemandCost",
    "pricing/unit",
    "savingsPlan/SavingsPlanARN",
    "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/TotalCommitmentToDate",
    "savingsPlan/UsedCommitment",
    "reservation/ReservationARN",
    "reservation/EffectiveCost",
    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    "reservation/UnusedRecurringFee",
    "",
    "",
    "",
    "",
};

// The map columns under their CUR 2.0 names.
constexpr std::array<std::pair<Column, std::string_view>, 4> kMapColumns = {{
    {kProductMap, "product"},
    {kResourceTagsMap, "resource_tags"},
    {kCostCategoryMap, "cost_category"},
    {kTagsMap, "tags"},
}};

constexpr Column kRequired[] = {kPayer, kPeriodStart, kUsageAccount, kLineItemType, kUnblendedCost};

// The columns that differ between rows that become one line (MeasureColumns): the usage times
// and the amounts. The amounts are read only by FieldReader::Number and Money (NumberColumns).
constexpr Column kUsageTimes[] = {kUsageStart, kUsageEnd};
constexpr Column kAmounts[] = {kUsageAmount,        kUnblendedCost,   kNetUnblendedCost,
                               kPublicOnDemandCost, kSpEffectiveCost, kSpTotalCommitment,
                               kSpUsedCommitment,   kRiEffectiveCost, kRiUnusedAmortizedUpfront,
                               kRiUnusedRecurring};

class CurParser : public RowParser {
 public:
  CurParser(Format format, bool hive_text, const std::string& path, RejectSink& rejects)
      : format_(format), path_(path), reader_(path, rejects) {
    // Athena's text tables write \N for null; AWS's own CSVs never contain it.
    if (hive_text || format != Format::kLegacyCsv) reader_.set_null_token("\\N");
  }

  Status MapHeader(std::vector<std::string> header, const IngestOptions& options) override {
    tag_keys_ = std::make_unique<TagKeys>(options.tag_keys);
    row_tags_ = std::make_unique<RowTags>(*tag_keys_);
    reader_.SetHeader(std::move(header));
    const std::vector<std::string>& names = reader_.header();
    bool legacy = format_ == Format::kLegacyCsv;
    for (int c = 0; c < kColumnCount; ++c) {
      index_[c] = -1;
      if (kLegacyNames[c].empty()) continue;
      index_[c] =
          reader_.Find(legacy ? std::string(kLegacyNames[c]) : AthenaColumnName(kLegacyNames[c]));
    }
    if (format_ == Format::kCur2) {
      for (const auto& [column, name] : kMapColumns) index_[column] = reader_.Find(name);
    }
    tag_columns_.clear();
    for (size_t i = 0; i < names.size(); ++i) {
      std::vector<size_t> ranks =
          legacy ? tag_keys_->MatchLegacyHeader(names[i]) : tag_keys_->MatchAthenaColumn(names[i]);
      for (size_t rank : ranks) tag_columns_.push_back({rank, static_cast<int>(i)});
    }
    for (Column c : kRequired) {
      if (index_[c] < 0) {
        std::string name =
            legacy ? std::string(kLegacyNames[c]) : AthenaColumnName(kLegacyNames[c]);
        return InvalidInput(path_ + ": the header has no column " + name + "; is this a " +
                            std::string(legacy ? "legacy Cost and Usage Report CSV"
                                        : format_ == Format::kCur2
                                            ? "CUR 2.0 export"
                                            : "Cost and Usage Report with Athena column names") +
                            "?");
      }
    }
    return Status::Ok();
  }

  Status Parse(const RowCells& f, uint64_t row, CurLine* line, LineTexts* texts,
               bool* skip) override {
    *skip = false;
    reader_.StartRow(f, row);
    auto text = [&](Column c) { return reader_.Text(index_[c]); };
    for (Column c : kRequired) {
      if (reader_.Empty(index_[c])) return reader_.RejectRequiredEmpty(skip, index_[c]);
    }
    texts->payer_account = AccountId(text(kPayer), payer_padded_);
    texts->usage_account = AccountId(text(kUsageAccount), usage_padded_);
    texts->type_text = text(kLineItemType);
    line->type = ParseLineItemType(texts->type_text);
    texts->billing_entity = text(kBillingEntity);
    texts->bill_type = text(kBillType);
    texts->invoice_id = text(kInvoiceId);
    texts->product_code = text(kProductCode);
    texts->usage_type = text(kUsageType);
    texts->operation = text(kOperation);
    texts->currency = text(kCurrency);
    texts->description = text(kDescription);
    texts->product_name = text(kProductName);
    texts->region = text(kRegion);
    texts->pricing_unit = text(kPricingUnit);
    texts->commitment_arn = text(kSpArn);
    if (texts->commitment_arn.empty()) texts->commitment_arn = text(kRiArn);
    line->source_row = row;

    Timestamp period_start = 0;
    if (!reader_.Time(index_[kPeriodStart], &period_start)) return reader_.Reject(skip);
    line->period = BillingPeriod::Containing(period_start);
    RowMeasures measures;
    measures.source_row = row;
    if (!ReadMeasures(line->type, texts->product_code, &measures)) return reader_.Reject(skip);
    measures.CopyTo(line);

    row_tags_->Clear();
    for (const TagColumn& tag : tag_columns_) row_tags_->Offer(tag.rank, reader_.Text(tag.column));
    if (format_ == Format::kCur2 && !ReadMaps(texts)) return reader_.Reject(skip);
    row_tags_->Emit(&line->tags);
    if (texts->region.empty()) texts->region = text(kRegionCode);
    reader_.KeepRow();
    return Status::Ok();
  }

  Status ParseMeasures(const RowCells& f, uint64_t row, const CurLine& shape, RowMeasures* out,
                       bool* skip) override {
    *skip = false;
    reader_.StartRow(f, row);
    // The one required column among the measures; the others were checked on the shape's
    // first row, whose cells these share.
    if (reader_.Empty(index_[kUnblendedCost])) {
      return reader_.RejectRequiredEmpty(skip, index_[kUnblendedCost]);
    }
    out->source_row = row;
    if (!ReadMeasures(shape.type, shape.product_code, out)) return reader_.Reject(skip);
    reader_.KeepRow();
    return Status::Ok();
  }

  std::vector<int> MeasureColumns() const override {
    std::vector<int> measures = Present(kUsageTimes);
    for (int column : NumberColumns()) measures.push_back(column);
    return measures;
  }
  std::vector<int> NumberColumns() const override { return Present(kAmounts); }

  int display_scale() const override { return reader_.display_scale(); }
  uint64_t rounded_values() const override { return reader_.rounded_values(); }
  const std::string& padded_account_id() const override { return padded_example_; }

  std::vector<int> UsedColumns() const override {
    std::vector<int> used;
    for (int index : index_) {
      if (index >= 0) used.push_back(index);
    }
    for (const TagColumn& tag : tag_columns_) used.push_back(tag.column);
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    return used;
  }

 private:
  struct TagColumn {
    size_t rank;  // position of the key in IngestOptions::tag_keys
    int column;
  };

  // The header positions of those of `columns` the file has.
  template <size_t N>
  std::vector<int> Present(const Column (&columns)[N]) const {
    std::vector<int> out;
    for (Column c : columns) {
      if (index_[c] >= 0) out.push_back(index_[c]);
    }
    return out;
  }

  // The usage times and amounts of a row whose line item type and product code are `type` and
  // `product_code`: false, with the failure kept in reader_, on bad text.
  bool ReadMeasures(LineItemType type, std::string_view product_code, RowMeasures* out) {
    if (!reader_.Time(index_[kUsageStart], &out->usage_start) ||
        !reader_.Time(index_[kUsageEnd], &out->usage_end)) {
      return false;
    }
    CostColumns cost;
    cost.type = type;
    cost.product_code = product_code;
    // Only a fee's cost views depend on it; other rows need not read the column.
    cost.has_reservation_arn = type == LineItemType::kFee && !reader_.Text(index_[kRiArn]).empty();
    std::optional<Decimal> unblended, usage;
    if (!Money(kUnblendedCost, &unblended) || !Money(kNetUnblendedCost, &cost.net_unblended) ||
        !Money(kPublicOnDemandCost, &cost.public_on_demand) ||
        !Money(kSpEffectiveCost, &cost.sp_effective_cost) ||
        !Money(kSpTotalCommitment, &cost.sp_total_commitment) ||
        !Money(kSpUsedCommitment, &cost.sp_used_commitment) ||
        !Money(kRiEffectiveCost, &cost.ri_effective_cost) ||
        !Money(kRiUnusedAmortizedUpfront, &cost.ri_unused_amortized_upfront) ||
        !Money(kRiUnusedRecurring, &cost.ri_unused_recurring) ||
        !reader_.Number(index_[kUsageAmount], &usage)) {
      return false;
    }
    cost.unblended = unblended.value_or(Decimal());
    out->usage_amount = usage.value_or(Decimal());
    out->cost = ComputeCostViews(cost);
    return true;
  }

  bool Money(Column c, std::optional<Decimal>* out) { return reader_.Money(index_[c], out); }

  // CUR 2.0 keeps product attributes, tags and cost categories in JSON-object cells. The
  // product map is read only for the two attributes a line keeps, which are copied: a map's
  // value may be unescaped into a buffer the next value reuses.
  bool ReadMaps(LineTexts* texts) {
    if (!reader_.JsonMap(index_[kProductMap], [&](std::string_view key, std::string_view value) {
          if (key == "product_name" && texts->product_name.empty()) {
            product_name_.assign(value);
            texts->product_name = product_name_;
          } else if (key == "region" && texts->region.empty()) {
            region_.assign(value);
            texts->region = region_;
          }
        })) {
      return false;
    }
    if (tag_keys_->empty()) return true;
    auto tags = [&](bool cost_category) {
      return [this, cost_category](std::string_view key, std::string_view value) {
        for (size_t rank : tag_keys_->MatchMapKey(key, cost_category)) {
          row_tags_->Offer(rank, value);
        }
      };
    };
    // `tags` (newer exports) repeats the resource tags next to account tags; the dedicated map
    // is read first so that it wins.
    return reader_.JsonMap(index_[kResourceTagsMap], tags(false)) &&
           reader_.JsonMap(index_[kCostCategoryMap], tags(true)) &&
           reader_.JsonMap(index_[kTagsMap], tags(false));
  }

  Format format_;
  const std::string& path_;
  FieldReader reader_;
  std::array<int, kColumnCount> index_{};
  // An AWS account id has 12 digits. A spreadsheet that saved the file again, or a tool that
  // typed the column as a number, drops its leading zeros, and the account would then match
  // no customer: they are put back (into `padded`, which the view returned points into).
  std::string_view AccountId(std::string_view id, std::string& padded) {
    if (id.empty() || id.size() >= 12 ||
        id.find_first_not_of("0123456789") != std::string_view::npos) {
      return id;
    }
    padded.assign(12 - id.size(), '0');
    padded.append(id);
    if (padded_example_.empty()) padded_example_ = std::string(id) + " as " + padded;
    return padded;
  }
  std::string payer_padded_, usage_padded_;
  std::string padded_example_;  // the first id padded, as "12345678901 as 012345678901"
  std::unique_ptr<TagKeys> tag_keys_;
  std::unique_ptr<RowTags> row_tags_;
  std::vector<TagColumn> tag_columns_;
  // The current row's product name and region when they come from CUR 2.0's product map.
  std::string product_name_;
  std::string region_;
};

}  // namespace

std::unique_ptr<RowParser> MakeCurParser(Format format, bool hive_text, const std::string& path,
                                         RejectSink& rejects) {
  return std::make_unique<CurParser>(format, hive_text, path, rejects);
}

}  // namespace rebill::ingest
