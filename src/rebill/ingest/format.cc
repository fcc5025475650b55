#include <algorithm>
#include <array>
#include <cctype>

#include "rebill/ingest/format_internal.h"

namespace rebill::ingest {
namespace {

constexpr std::string_view kCostCategoryPrefix = "costCategory/";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

template <size_t N>
bool OneOf(std::string_view name, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Legacy CSV headers are "<category>/<Name>"; these are the categories (reference §1.5).
constexpr std::array<std::string_view, 13> kLegacyCategories = {
    "identity/",     "bill/",         "lineItem/",      "pricing/",
    "product/",      "reservation/",  "savingsPlan/",   "discount/",
    "resourceTags/", "costCategory/", "splitLineItem/", "capacityReservation/",
    "tags/"};

// Columns that only snake-case CUR files have; every export includes some of them.
constexpr std::array<std::string_view, 14> kSnakeMarkers = {"identity_line_item_id",
                                                            "identity_time_interval",
                                                            "bill_payer_account_id",
                                                            "bill_billing_period_start_date",
                                                            "bill_invoice_id",
                                                            "bill_billing_entity",
                                                            "line_item_usage_account_id",
                                                            "line_item_line_item_type",
                                                            "line_item_unblended_cost",
                                                            "line_item_usage_start_date",
                                                            "line_item_product_code",
                                                            "line_item_usage_amount",
                                                            "line_item_currency_code",
                                                            "pricing_public_on_demand_cost"};

// What CUR 2.0 has and legacy Athena tables never have: the map columns and the account names.
constexpr std::array<std::string_view, 7> kCur2Markers = {"product",
                                                          "resource_tags",
                                                          "cost_category",
                                                          "discount",
                                                          "tags",
                                                          "bill_payer_account_name",
                                                          "line_item_usage_account_name"};

// FOCUS 1.0's mandatory columns.
constexpr std::array<std::string_view, 18> kFocusMarkers = {
    "BilledCost",        "BillingAccountId",   "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd",  "BillingPeriodStart", "ChargeCategory",     "ChargeClass",
    "ChargeDescription", "ChargePeriodEnd",    "ChargePeriodStart",  "ContractedCost",
    "EffectiveCost",     "InvoiceIssuerName",  "ListCost",           "ProviderName",
    "PublisherName",     "ServiceName"};
// Columns added by FOCUS 1.1 and by 1.2 (reference §3.1).
constexpr std::array<std::string_view, 7> kFocus11Columns = {
    "CapacityReservationId",  "CapacityReservationStatus", "CommitmentDiscountQuantity",
    "CommitmentDiscountUnit", "ServiceSubcategory",        "SkuMeter",
    "SkuPriceDetails"};
constexpr std::array<std::string_view, 7> kFocus12Columns = {"BillingAccountType",
                                                             "InvoiceId",
                                                             "PricingCurrency",
                                                             "PricingCurrencyContractedUnitPrice",
                                                             "PricingCurrencyEffectiveCost",
                                                             "PricingCurrencyListUnitPrice",
                                                             "SubAccountType"};

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string_view FormatName(Format format) {
  switch (format) {
    case Format::kLegacyCsv:
      return "legacy-cur-csv";
    case Format::kLegacyAthena:
      return "legacy-cur-athena";
    case Format::kCur2:
      return "cur2-csv";
    case Format::kFocus10:
      return "focus-1.0";
    case Format::kFocus11:
      return "focus-1.1";
    case Format::kFocus12:
      return "focus-1.2";
  }
  return "unknown";
}

bool IsFocus(Format format) {
  return format == Format::kFocus10 || format == Format::kFocus11 || format == Format::kFocus12;
}

std::optional<Format> DetectFormat(const std::vector<std::string>& names) {
  int legacy = 0, snake = 0, cur2 = 0, focus = 0, focus11 = 0, focus12 = 0;
  for (const std::string& name : names) {
    for (std::string_view category : kLegacyCategories) {
      if (StartsWith(name, category) && name.size() > category.size()) {
        ++legacy;
        break;
      }
    }
    if (OneOf(name, kSnakeMarkers)) ++snake;
    if (OneOf(name, kCur2Markers)) ++cur2;
    if (OneOf(name, kFocusMarkers)) ++focus;
    if (OneOf(name, kFocus11Columns)) ++focus11;
    if (OneOf(name, kFocus12Columns)) ++focus12;
  }
  // A data row never holds a column name, so one known name is enough; the family with the
  // most wins should a file mix them.
  int best = std::max({legacy, snake, focus});
  if (best == 0) return std::nullopt;
  if (best == focus) {
    if (focus12 > 0) return Format::kFocus12;
    return focus11 > 0 ? Format::kFocus11 : Format::kFocus10;
  }
  if (best == legacy) return Format::kLegacyCsv;
  return cur2 > 0 ? Format::kCur2 : Format::kLegacyAthena;
}

std::string AthenaColumnName(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 8);
  auto underscore = [&out] {
    if (out.empty() || out.back() != '_') out.push_back('_');
  };
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') {
      underscore();
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (IsAlnum(c)) {
      out.push_back(c);
    } else {
      underscore();
    }
  }
  size_t begin = out.find_first_not_of('_');
  if (begin == std::string::npos) return "";
  size_t end = out.find_last_not_of('_');
  return out.substr(begin, end - begin + 1);
}

TagKeys::TagKeys(const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    Key k;
    k.key = key;
    k.cost_category = StartsWith(key, kCostCategoryPrefix);
    std::string_view bare = key;
    if (k.cost_category) bare.remove_prefix(kCostCategoryPrefix.size());
    k.normalized = AthenaColumnName(bare);
    k.athena_column = AthenaColumnName(k.cost_category ? key : "resourceTags/" + key);
    keys_.push_back(std::move(k));
  }
}

std::vector<size_t> TagKeys::MatchLegacyHeader(std::string_view header) const {
  std::string_view key;
  if (StartsWith(header, "resourceTags/")) {
    key = header.substr(13);
  } else if (StartsWith(header, kCostCategoryPrefix)) {
    key = header;
  }
  std::vector<size_t> ranks;
  if (key.empty()) return ranks;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i].key == key) ranks.push_back(i);
  }
  return ranks;
}

std::vector<size_t> TagKeys::MatchAthenaColumn(std::string_view column) const {
  std::vector<size_t> ranks;
  if (!StartsWith(column, "resource_tags_") && !StartsWith(column, "cost_category_")) return ranks;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i].athena_column == column) ranks.push_back(i);
  }
  return ranks;
}

std::vector<std::string> TagKeys::MissingColumnWarnings(
    const std::string& path, Format format, const std::vector<std::string>& header) const {
  std::vector<std::string> warnings;
  if (format != Format::kLegacyCsv && format != Format::kLegacyAthena) return warnings;
  const bool legacy = format == Format::kLegacyCsv;
  std::vector<bool> found(keys_.size(), false);
  for (const std::string& name : header) {
    for (size_t rank : legacy ? MatchLegacyHeader(name) : MatchAthenaColumn(name)) {
      found[rank] = true;
    }
  }
  // Letters and digits only, in lower case: what a near miss has in common with the key.
  auto folded = [](std::string_view text) {
    std::string out;
    for (char c : text) {
      if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    return out;
  };
  for (size_t rank = 0; rank < keys_.size(); ++rank) {
    if (found[rank]) continue;
    const Key& k = keys_[rank];
    std::string column =
        legacy ? (k.cost_category ? k.key : "resourceTags/" + k.key) : k.athena_column;
    std::string near;
    for (const std::string& name : header) {
      if (folded(name) == folded(column)) near += (near.empty() ? "" : ", ") + name;
    }
    warnings.push_back(path + ": has no column " + column + " for " +
                       (k.cost_category ? "cost category " : "tag ") + k.key +
                       ", which the configuration reads; every line of this file is untagged for "
                       "it" +
                       (near.empty() ? std::string(" (is the tag activated for cost allocation?)")
                                     : " (the file has " + near + ": check the key's spelling)"));
  }
  return warnings;
}

const std::vector<size_t>& TagKeys::MatchMapKey(std::string_view map_key,
                                                bool cost_category) const {
  auto& cache = map_cache_[cost_category ? 1 : 0];
  auto it = cache.find(std::string(map_key));
  if (it != cache.end()) return it->second;
  std::vector<size_t> ranks;
  std::string normalized = AthenaColumnName(map_key);
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i].cost_category == cost_category && keys_[i].normalized == normalized) {
      ranks.push_back(i);
    }
  }
  return cache.emplace(std::string(map_key), std::move(ranks)).first->second;
}

}  // namespace rebill::ingest
