#include "rebill/ingest/ingest.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <unordered_map>

#include "rebill/ingest/cost_views.h"
#include "rebill/ingest/csv_reader_internal.h"

namespace rebill::ingest {
namespace {

// The legacy CUR columns ingest reads; everything else in the file is skipped.
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
  kColumnCount,
};

constexpr std::string_view kColumnNames[kColumnCount] = {
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
};

constexpr Column kRequired[] = {kPayer, kPeriodStart, kUsageAccount, kLineItemType, kUnblendedCost};

class RowParser {
 public:
  RowParser(const std::string& path, RejectSink& rejects) : path_(path), rejects_(rejects) {}

  // Index of each known column in the header (-1 if absent), and the tag columns to keep.
  Status MapHeader(const std::vector<std::string_view>& header, const IngestOptions& options) {
    header_size_ = header.size();
    index_.fill(-1);
    // Tags are kept in the configuration's order, so that the lines do not depend on the
    // column order of the file.
    std::unordered_map<std::string_view, size_t> wanted_tags;
    for (size_t k = 0; k < options.tag_keys.size(); ++k) {
      wanted_tags.emplace(options.tag_keys[k], k);
    }
    tag_columns_.clear();
    for (size_t i = 0; i < header.size(); ++i) {
      std::string_view name = header[i];
      if (i == 0 && name.substr(0, 3) == "\xEF\xBB\xBF") name.remove_prefix(3);  // UTF-8 BOM
      for (int c = 0; c < kColumnCount; ++c) {
        if (name == kColumnNames[c] && index_[c] < 0) index_[c] = static_cast<int>(i);
      }
      std::string_view key;
      if (name.substr(0, 13) == "resourceTags/") {
        key = name.substr(13);
      } else if (name.substr(0, 13) == "costCategory/") {
        key = name;
      }
      auto wanted = key.empty() ? wanted_tags.end() : wanted_tags.find(key);
      if (wanted != wanted_tags.end()) {
        tag_columns_.push_back({wanted->second, static_cast<int>(i), std::string(key)});
      }
    }
    std::stable_sort(tag_columns_.begin(), tag_columns_.end(),
                     [](const TagColumn& a, const TagColumn& b) { return a.rank < b.rank; });
    for (Column c : kRequired) {
      if (index_[c] < 0) {
        return InvalidInput(path_ + ": the header has no column " + std::string(kColumnNames[c]) +
                            "; is this a legacy Cost and Usage Report CSV?");
      }
    }
    return Status::Ok();
  }

  /// Parse one data row. Returns OK with *line filled, OK with *skip set when the row was
  /// rejected and the policy lets ingest go on, or the error that stops the ingest.
  Status Parse(const std::vector<std::string_view>& f, uint64_t row, CurLine* line, bool* skip) {
    *skip = false;
    row_ = row;
    if (f.size() != header_size_) {
      *skip = true;
      return rejects_.Add(FieldCountReject(path_, row, header_size_, f.size()));
    }
    fields_ = &f;
    auto text = [&](Column c) -> std::string_view {
      return index_[c] < 0 ? std::string_view() : f[static_cast<size_t>(index_[c])];
    };
    for (Column c : kRequired) {
      if (text(c).empty()) {
        return Reject(skip, kColumnNames[c], "the value is empty but the column is required", "",
                      "AWS fills this column on every row; re-download the file");
      }
    }
    line->payer_account = text(kPayer);
    line->usage_account = text(kUsageAccount);
    line->type_text = text(kLineItemType);
    line->type = ParseLineItemType(line->type_text);
    line->billing_entity = text(kBillingEntity);
    line->bill_type = text(kBillType);
    line->invoice_id = text(kInvoiceId);
    line->product_code = text(kProductCode);
    line->usage_type = text(kUsageType);
    line->operation = text(kOperation);
    line->currency = text(kCurrency);
    line->description = text(kDescription);
    line->product_name = text(kProductName);
    line->region = text(kRegion);
    line->pricing_unit = text(kPricingUnit);
    line->commitment_arn = text(kSpArn);
    if (line->commitment_arn.empty()) line->commitment_arn = text(kRiArn);
    line->source_row = row;

    Timestamp period_start = 0;
    if (!Time(kPeriodStart, &period_start)) return Reject(skip);
    line->period = BillingPeriod::Containing(period_start);
    if (!Time(kUsageStart, &line->usage_start) || !Time(kUsageEnd, &line->usage_end)) {
      return Reject(skip);
    }

    row_scale_ = 0;
    CostColumns cost;
    cost.type = line->type;
    cost.product_code = line->product_code;
    cost.has_reservation_arn = !text(kRiArn).empty();
    std::optional<Decimal> unblended, usage;
    if (!Money(kUnblendedCost, &unblended) || !Money(kNetUnblendedCost, &cost.net_unblended) ||
        !Money(kPublicOnDemandCost, &cost.public_on_demand) ||
        !Money(kSpEffectiveCost, &cost.sp_effective_cost) ||
        !Money(kSpTotalCommitment, &cost.sp_total_commitment) ||
        !Money(kSpUsedCommitment, &cost.sp_used_commitment) ||
        !Money(kRiEffectiveCost, &cost.ri_effective_cost) ||
        !Money(kRiUnusedAmortizedUpfront, &cost.ri_unused_amortized_upfront) ||
        !Money(kRiUnusedRecurring, &cost.ri_unused_recurring) || !Number(kUsageAmount, &usage)) {
      return Reject(skip);
    }
    // Only rows that are kept count towards the display scale.
    display_scale_ = std::max(display_scale_, row_scale_);
    cost.unblended = unblended.value_or(Decimal());
    line->usage_amount = usage.value_or(Decimal());
    line->cost = ComputeCostViews(cost);

    line->tags.clear();
    for (const TagColumn& tag : tag_columns_) {
      std::string_view value = f[static_cast<size_t>(tag.column)];
      if (!value.empty()) line->tags.emplace_back(tag.key, std::string(value));
    }
    return Status::Ok();
  }

  int display_scale() const { return display_scale_; }

 private:
  // Parse a money column, recording the fraction digits for display; false on bad text (the
  // failure is kept for Reject()).
  bool Money(Column c, std::optional<Decimal>* out) {
    int digits = 0;
    if (!Number(c, out, &digits)) return false;
    row_scale_ = std::max(row_scale_, std::min(digits, Decimal::kScale));
    return true;
  }

  bool Number(Column c, std::optional<Decimal>* out, int* digits = nullptr) {
    if (index_[c] < 0) {
      out->reset();
      return true;
    }
    std::string_view text = (*fields_)[static_cast<size_t>(index_[c])];
    Result<std::optional<Decimal>> value = Decimal::ParseNullable(text, digits);
    if (!value.ok()) {
      failure_ = {std::string(kColumnNames[c]), value.status().message(), std::string(text),
                  "the value must be a decimal number such as 12.5 or 4.0E-7"};
      return false;
    }
    *out = *value;
    return true;
  }

  bool Time(Column c, Timestamp* out) {
    if (index_[c] < 0) return true;
    std::string_view text = (*fields_)[static_cast<size_t>(index_[c])];
    if (text.empty()) {
      *out = 0;
      return true;
    }
    Result<Timestamp> t = ParseTimestamp(text);
    if (!t.ok()) {
      failure_ = {std::string(kColumnNames[c]), t.status().message(), std::string(text),
                  "timestamps look like 2023-11-01T00:00:00Z"};
      return false;
    }
    *out = *t;
    return true;
  }

  Status Reject(bool* skip) {
    return Reject(skip, failure_.column, failure_.reason, failure_.raw, failure_.hint);
  }

  Status Reject(bool* skip, std::string_view column, std::string reason, std::string raw,
                std::string hint) {
    rebill::Reject reject;
    reject.stage = "ingest";
    reject.file = path_;
    reject.row = row_;
    reject.column = std::string(column);
    reject.reason = std::move(reason);
    reject.raw_text = raw.substr(0, 200);
    reject.hint = std::move(hint);
    *skip = true;
    return rejects_.Add(std::move(reject));
  }

  struct Failure {
    std::string column, reason, raw, hint;
  };

  const std::string& path_;
  RejectSink& rejects_;
  size_t header_size_ = 0;
  std::array<int, kColumnCount> index_{};
  struct TagColumn {
    size_t rank;  // position of the key in IngestOptions::tag_keys
    int column;
    std::string key;
  };
  std::vector<TagColumn> tag_columns_;
  const std::vector<std::string_view>* fields_ = nullptr;
  uint64_t row_ = 0;
  int display_scale_ = 2;
  int row_scale_ = 0;  // fraction digits of the current row's cost values
  Failure failure_;
};

}  // namespace

Result<IngestedFile> ReadBillingFile(const std::string& path, const IngestOptions& options,
                                     RejectSink& rejects) {
  REBILL_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, ByteSource::Open(path));
  CsvReader reader(std::move(source), path);
  IngestedFile out;
  out.source.path = path;
  out.source.format = "legacy-cur-" + std::string(reader.compression());

  std::vector<std::string_view> fields;
  REBILL_ASSIGN_OR_RETURN(bool has_header, reader.Next(fields));
  if (!has_header) return InvalidInput(path + ": the file is empty; expected a CUR with a header");
  RowParser parser(path, rejects);
  REBILL_RETURN_IF_ERROR(parser.MapHeader(fields, options));

  for (;;) {
    REBILL_ASSIGN_OR_RETURN(bool more, reader.Next(fields));
    if (!more) break;
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    ++out.source.rows;
    CurLine line;
    bool skip = false;
    REBILL_RETURN_IF_ERROR(parser.Parse(fields, reader.record_index(), &line, &skip));
    if (!skip) out.lines.push_back(std::move(line));
  }
  // The reader hashed every byte on the way through, so the file is read from disk only once.
  out.source.sha256 = reader.Sha256Hex();
  out.display_scale = parser.display_scale();
  return out;
}

NormalizedMonth BuildMonth(BillingPeriod period, const std::vector<IngestedFile>& files) {
  NormalizedMonth month;
  month.period = period;
  for (const IngestedFile& file : files) {
    bool used = false;
    auto index = static_cast<uint32_t>(month.sources.size());
    for (const CurLine& line : file.lines) {
      if (line.period != period) continue;
      month.lines.push_back(line);
      month.lines.back().source_file = index;
      used = true;
    }
    if (used) {
      month.sources.push_back(file.source);
      month.display_scale = std::max(month.display_scale, file.display_scale);
    }
  }
  return month;
}

}  // namespace rebill::ingest
