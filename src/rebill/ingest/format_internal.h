// The billing file formats ingest reads, told apart by their header alone (never by the file
// name), and the column-name rules they share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rebill::ingest {

enum class Format : uint8_t {
  kLegacyCsv,     // legacy CUR as AWS delivers it: `lineItem/UnblendedCost`
  kLegacyAthena,  // legacy CUR with Parquet / Athena names: `line_item_unblended_cost`
  kCur2,          // CUR 2.0 (Data Exports): Athena names plus map columns (`product`, ...)
  kFocus10,
  kFocus11,
  kFocus12,
};

/// "legacy-cur-csv", "legacy-cur-athena", "cur2-csv", "focus-1.0", "focus-1.1", "focus-1.2".
std::string_view FormatName(Format format);
bool IsFocus(Format format);

/// The format whose header `names` is, or nullopt when the record is not a header of any (a
/// data row, or an unrelated file). A header is recognised by the known column names it holds,
/// so one that lacks a required column is still recognised and then fails with that column's
/// name.
std::optional<Format> DetectFormat(const std::vector<std::string>& names);

/// The Parquet / Athena name AWS derives from a legacy CUR header (reference §1.5):
/// "savingsPlan/SavingsPlanARN" -> "savings_plan_savings_plan_a_r_n",
/// "resourceTags/user:Cost Center" -> "resource_tags_user_cost_center". Idempotent on names that
/// are already in that form. The truncation of over-long names is not applied.
std::string AthenaColumnName(std::string_view name);

/// The tag and cost-category keys the configuration asks for (IngestOptions::tag_keys), and
/// which keys of a file match them. A line carries each value under the configuration's
/// spelling, so that "user:CostCenter" reaches later stages the same way from every format:
///  - legacy CSV: the header is the key exactly ("resourceTags/user:CostCenter",
///    "costCategory/Team");
///  - Athena names, CUR 2.0 map keys and FOCUS tag keys: the keys are compared after the Athena
///    normalization, so "user:CostCenter" in the configuration matches the column
///    `resource_tags_user_cost_center` and the CUR 2.0 key `user_cost_center`, and a
///    configuration that writes the CUR 2.0 spelling "user_cost_center" gets it as written.
///    Cost categories are configured as "costCategory/<name>" in every format.
class TagKeys {
 public:
  explicit TagKeys(const std::vector<std::string>& keys);

  size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  /// The configured key at `rank` (its position in IngestOptions::tag_keys).
  const std::string& key(size_t rank) const { return keys_[rank].key; }

  /// Ranks of the keys a legacy CSV header names exactly.
  std::vector<size_t> MatchLegacyHeader(std::string_view header) const;
  /// Ranks of the keys an Athena-named column (`resource_tags_*`, `cost_category_*`) holds.
  std::vector<size_t> MatchAthenaColumn(std::string_view column) const;
  /// Ranks of the keys that a key of a JSON tag map matches (`cost_category` = true for cost
  /// category maps). Cached: files repeat the same few keys on every row.
  const std::vector<size_t>& MatchMapKey(std::string_view map_key, bool cost_category) const;
  /// For a format whose tags are columns of their own (legacy CUR, with AWS's or Athena's
  /// names), a warning for each key that no column of `header` holds: a key misspelt in the
  /// configuration, or a tag not activated for cost allocation, leaves every line untagged for
  /// it, which a split would otherwise do silently. Names the columns that differ only in case
  /// or punctuation. None for formats that keep tags in maps (CUR 2.0, FOCUS).
  std::vector<std::string> MissingColumnWarnings(const std::string& path, Format format,
                                                 const std::vector<std::string>& header) const;

 private:
  struct Key {
    std::string key;
    bool cost_category = false;
    std::string normalized;  // AthenaColumnName of the key without "costCategory/"
    std::string athena_column;
  };
  std::vector<Key> keys_;
  mutable std::unordered_map<std::string, std::vector<size_t>> map_cache_[2];
};

}  // namespace rebill::ingest
