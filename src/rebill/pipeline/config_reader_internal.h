// Reading rebill.toml: typed values with errors that name the config key. Shared by the parsers
// of the configuration's sections.
#pragma once

#include <toml++/toml.h>

#include <map>
#include <string>
#include <string_view>

#include "rebill/core/decimal.h"
#include "rebill/core/ids.h"
#include "rebill/core/period.h"
#include "rebill/core/result.h"
#include "rebill/model/priced_line.h"
#include "rebill/price/price.h"
#include "rebill/report/statement_builder.h"

namespace rebill::pipeline {

inline std::string Key(std::string_view table, size_t index, std::string_view field = "") {
  std::string out = std::string(table) + "[" + std::to_string(index) + "]";
  if (!field.empty()) out += "." + std::string(field);
  return out;
}

class ConfigReader {
 public:
  explicit ConfigReader(std::string file) : file_(std::move(file)) {}

  Status Error(const std::string& key, const std::string& what) const {
    return InvalidInput(file_ + ": " + key + ": " + what);
  }

  /// A string value; `required` makes absence an error.
  Result<std::string> String(const toml::node_view<const toml::node>& node, const std::string& key,
                             bool required, std::string fallback = "") const {
    if (!node) {
      if (required) return Error(key, "is missing; add it");
      return fallback;
    }
    if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
    return Error(key, "must be a string (in double quotes)");
  }

  /// A decimal written as a string ("2.5") or an integer; floats are refused because TOML
  /// floats are binary and money must stay exact.
  Result<Decimal> Number(const toml::node_view<const toml::node>& node,
                         const std::string& key) const {
    if (!node) return Error(key, "is missing; add it, e.g. \"5\"");
    if (node.is_integer()) return Decimal::FromInt(*node.value<int64_t>());
    if (node.is_floating_point()) {
      return Error(key, "write the number as a string (e.g. \"2.5\") so it stays exact");
    }
    if (node.is_string()) {
      Result<Decimal> d = Decimal::Parse(*node.value<std::string>());
      if (!d.ok()) return Error(key, d.status().message());
      return d;
    }
    return Error(key, "must be a number written as a string, e.g. \"5\"");
  }

  Result<Timestamp> Time(const toml::node_view<const toml::node>& node, const std::string& key,
                         Timestamp fallback) const {
    if (!node) return fallback;
    if (!node.is_string()) {
      return Error(key, "must be a UTC timestamp string such as \"2026-03-14T00:00:00Z\"");
    }
    Result<Timestamp> t = ParseTimestamp(*node.value<std::string>());
    if (!t.ok()) return Error(key, t.status().message());
    return t;
  }

 private:
  std::string file_;
};

inline Status CheckKnownKeys(const ConfigReader& reader, const toml::table& table,
                             const std::string& key,
                             std::initializer_list<std::string_view> known) {
  for (const auto& [name, node] : table) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || name.str() == k;
    if (!ok) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return reader.Error(
          key.empty() ? std::string(name.str()) : key + "." + std::string(name.str()),
          "is not a known setting (known here: " + list + ")");
    }
  }
  return Status::Ok();
}

/// [[price_plan]] tables into `book.plans`.
Status ParsePricePlans(const ConfigReader& reader, const toml::table& root, price::PriceBook& book);

/// A customer's price plans over time, fees and tax treatment.
Result<price::CustomerPricing> ParseCustomerPricing(
    const ConfigReader& reader, const toml::node_view<const toml::node>& c, const std::string& key,
    const std::string& customer, const std::string& currency, const price::PriceBook& book);

/// Statement settings of [reseller] that customers inherit unless they set their own.
struct StatementDefaults {
  std::string language = "en";
  std::string lines_by = "service";
};

/// [reseller] address, tax_id, logo, accent_colour, paper, language, lines_by into `out` (whose
/// `reseller` is already set); a relative logo path is read from `workspace_dir`.
Status ParseStatementHeader(const ConfigReader& reader,
                            const toml::node_view<const toml::node>& reseller,
                            const std::string& workspace_dir, report::StatementSettings& out,
                            StatementDefaults& defaults);

/// A [[customer]]'s legal_name, address, tax_id, language and lines_by into `info`.
Status ParseCustomerHeader(const ConfigReader& reader, const toml::node_view<const toml::node>& c,
                           const std::string& key, const StatementDefaults& defaults,
                           report::CustomerInfo& info);

}  // namespace rebill::pipeline
