// Locales of statements: labels, number, date and money formats per language, read from the
// data/locales/*.toml files compiled into the binary. Minor units come from ISO 4217
// (core/currency.h); symbols and the placement of the sign and symbol from the locale.
//
//   const Locale& de = LocaleFor("de");
//   de.Money(Decimal::FromInt(1234), "EUR");  // "1.234,00 €"
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rebill/core/decimal.h"
#include "rebill/core/period.h"

namespace rebill::report {

class Locale {
 public:
  /// The language tag, as in rebill.toml: "en", "de", "zh-CN".
  const std::string& tag() const { return tag_; }
  /// fontconfig family names for PDF text, in order of preference.
  const std::string& font() const { return font_; }

  /// The text of label `key`, the English text when this locale lacks it, else the key itself.
  std::string Label(std::string_view key) const;
  /// The text of label `key`, or `fallback` when no locale has it.
  std::string LabelOr(std::string_view key, std::string_view fallback) const;
  /// Label `key` with each {name} replaced by its value.
  std::string Label(std::string_view key,
                    const std::vector<std::pair<std::string, std::string>>& values) const;

  /// `amount` with `digits` decimals, grouped: 1,234.56 (en), 1.234,56 (de).
  std::string Number(const Decimal& amount, int digits) const;
  /// `amount` (already rounded) in `currency`'s minor units with its symbol: $1,234.56,
  /// 1.234,56 €, US$1,234.56; JPY has no decimals.
  std::string Money(const Decimal& amount, const std::string& currency) const;
  std::string Period(BillingPeriod period) const;         // "October 2026", "2026年10月"
  std::string Date(BillingPeriod period, int day) const;  // "October 5, 2026", "5. Oktober 2026"

  /// Every key of every table, for checking that locales agree.
  const std::map<std::string, std::string>& labels() const { return labels_; }

 private:
  friend struct LocaleLoader;
  std::string tag_;
  std::string font_;
  std::string decimal_point_;
  std::string group_separator_;
  std::string money_;
  std::string period_;
  std::string date_;
  std::vector<std::string> months_;
  std::map<std::string, std::string> symbols_;
  std::map<std::string, std::string> labels_;
  const Locale* fallback_ = nullptr;
};

/// The locale with tag `tag`, or nullptr when no data file defines it.
const Locale* FindLocale(std::string_view tag);
/// The locale with tag `tag`, English when there is none.
const Locale& LocaleFor(std::string_view tag);
/// The tags of all locales, sorted.
std::vector<std::string> LocaleTags();

/// `text` with each {name} replaced by its value.
std::string Substitute(std::string_view text,
                       const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace rebill::report
