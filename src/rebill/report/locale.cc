#include "rebill/report/locale.h"

#include <toml++/toml.h>

#include <memory>
#include <stdexcept>

#include "rebill/core/currency.h"
#include "rebill/report/embedded.h"

namespace rebill::report {

struct LocaleLoader {
  // The locale files are part of the build; a broken one is a bug found by the tests, so it
  // stops the program rather than printing statements with missing texts.
  static Locale Load(const EmbeddedFile& file) {
    toml::table root;
    try {
      root = toml::parse(std::string_view(file.data, file.size),
                         std::string("data/locales/") + file.name + ".toml");
    } catch (const toml::parse_error& e) {
      throw std::logic_error(std::string("data/locales/") + file.name +
                             ".toml: " + std::string(e.description()));
    }
    Locale locale;
    locale.tag_ = file.name;
    const toml::table* format = root["format"].as_table();
    if (format == nullptr) {
      throw std::logic_error(std::string("data/locales/") + file.name + ".toml: no [format]");
    }
    auto text = [&](const char* key) {
      std::optional<std::string> value = (*format)[key].value<std::string>();
      if (!value) {
        throw std::logic_error(std::string("data/locales/") + file.name + ".toml: format." + key +
                               " is missing");
      }
      return *value;
    };
    locale.decimal_point_ = text("decimal_point");
    locale.group_separator_ = text("group_separator");
    locale.money_ = text("money");
    locale.period_ = text("period");
    locale.date_ = text("date");
    locale.font_ = text("font");
    if (const toml::array* months = (*format)["months"].as_array()) {
      for (const toml::node& m : *months) locale.months_.push_back(m.value_or(std::string()));
    }
    if (locale.months_.size() != 12) {
      throw std::logic_error(std::string("data/locales/") + file.name +
                             ".toml: format.months must name 12 months");
    }
    if (const toml::table* symbols = root["symbols"].as_table()) {
      for (const auto& [code, symbol] : *symbols) {
        locale.symbols_[std::string(code.str())] = symbol.value_or(std::string());
      }
    }
    if (const toml::table* labels = root["labels"].as_table()) {
      for (const auto& [key, value] : *labels) {
        locale.labels_[std::string(key.str())] = value.value_or(std::string());
      }
    }
    return locale;
  }
  static void SetFallback(Locale& locale, const Locale* fallback) { locale.fallback_ = fallback; }
};

namespace {

const std::map<std::string, std::unique_ptr<Locale>, std::less<>>& Locales() {
  static const auto* locales = [] {
    auto* out = new std::map<std::string, std::unique_ptr<Locale>, std::less<>>();
    for (size_t i = 0; i < kLocaleFilesCount; ++i) {
      (*out)[kLocaleFiles[i].name] = std::make_unique<Locale>(LocaleLoader::Load(kLocaleFiles[i]));
    }
    auto en = out->find("en");
    if (en == out->end()) throw std::logic_error("data/locales/en.toml is missing");
    for (auto& [tag, locale] : *out) {
      if (tag != "en") LocaleLoader::SetFallback(*locale, en->second.get());
    }
    return out;
  }();
  return *locales;
}

}  // namespace

std::string Substitute(std::string_view text,
                       const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find('{', i);
    if (open == std::string_view::npos) break;
    size_t close = text.find('}', open);
    if (close == std::string_view::npos) break;
    out += text.substr(i, open - i);
    std::string_view name = text.substr(open + 1, close - open - 1);
    bool found = false;
    for (const auto& [key, value] : values) {
      if (key == name) {
        out += value;
        found = true;
        break;
      }
    }
    if (!found) out += text.substr(open, close - open + 1);
    i = close + 1;
  }
  out += text.substr(std::min(i, text.size()));
  return out;
}

std::string Locale::Label(std::string_view key) const {
  if (auto it = labels_.find(std::string(key)); it != labels_.end()) return it->second;
  if (fallback_ != nullptr) return fallback_->Label(key);
  return std::string(key);
}

std::string Locale::LabelOr(std::string_view key, std::string_view fallback) const {
  if (auto it = labels_.find(std::string(key)); it != labels_.end()) return it->second;
  if (fallback_ != nullptr) return fallback_->LabelOr(key, fallback);
  return std::string(fallback);
}

std::string Locale::Label(std::string_view key,
                          const std::vector<std::pair<std::string, std::string>>& values) const {
  return Substitute(Label(key), values);
}

std::string Locale::Number(const Decimal& amount, int digits) const {
  std::string text = amount.ToString(digits);
  const size_t start = text[0] == '-' ? 1 : 0;
  size_t point = text.find('.');
  std::string fraction;
  if (point != std::string::npos) {
    fraction = decimal_point_ + text.substr(point + 1);
    text.resize(point);
  }
  std::string grouped;
  const size_t integer_digits = text.size() - start;
  for (size_t i = start; i < text.size(); ++i) {
    if (i > start && (integer_digits - (i - start)) % 3 == 0) grouped += group_separator_;
    grouped.push_back(text[i]);
  }
  return text.substr(0, start) + grouped + fraction;
}

std::string Locale::Money(const Decimal& amount, const std::string& currency) const {
  Result<Currency> parsed = Currency::Parse(currency);
  const int digits = parsed.ok() ? parsed->minor_units() : 2;
  std::string symbol = currency;
  if (auto it = symbols_.find(currency); it != symbols_.end()) {
    symbol = it->second;
  } else if (fallback_ != nullptr) {
    // Not every locale names every symbol; an English symbol beats a bare code.
    if (auto en = fallback_->symbols_.find(currency); en != fallback_->symbols_.end()) {
      symbol = en->second;
    }
  }
  std::string number = Number(amount, digits);
  std::string sign;
  if (!number.empty() && number[0] == '-') {
    sign = "-";
    number.erase(0, 1);
  }
  return Substitute(money_, {{"sign", sign}, {"symbol", symbol}, {"amount", number}});
}

std::string Locale::Period(BillingPeriod period) const {
  return Substitute(period_, {{"month", months_[static_cast<size_t>(period.month() - 1)]},
                              {"year", std::to_string(period.year())}});
}

std::string Locale::Date(BillingPeriod period, int day) const {
  return Substitute(date_, {{"month", months_[static_cast<size_t>(period.month() - 1)]},
                            {"day", std::to_string(day)},
                            {"year", std::to_string(period.year())}});
}

const Locale* FindLocale(std::string_view tag) {
  const auto& locales = Locales();
  auto it = locales.find(tag);
  return it == locales.end() ? nullptr : it->second.get();
}

const Locale& LocaleFor(std::string_view tag) {
  const Locale* locale = FindLocale(tag);
  return locale != nullptr ? *locale : *FindLocale("en");
}

std::vector<std::string> LocaleTags() {
  std::vector<std::string> tags;
  for (const auto& [tag, locale] : Locales()) tags.push_back(tag);
  return tags;
}

}  // namespace rebill::report
