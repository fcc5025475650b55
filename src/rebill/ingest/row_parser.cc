#include <charconv>
#include <cstring>

#include "rebill/core/shortest_double.h"
#include "rebill/ingest/json_map_internal.h"
#include "rebill/ingest/row_parser_internal.h"

namespace rebill::ingest {

int FieldReader::Find(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

bool FieldReader::Money(int column, std::optional<Decimal>* out) {
  int digits = 0;
  if (!Number(column, out, &digits)) return false;
  row_scale_ = std::max(row_scale_, std::min(digits, Decimal::kScale));
  return true;
}

namespace {

// "4.4450735368910374e-05" -> "0.000044450735368910374": scientific notation written out, so
// that its fractional digits can be counted and rounded. nullopt for text that is not a number.
std::optional<std::string> Expand(std::string_view text) {
  std::string sign;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    if (text[0] == '-') sign = "-";
    text.remove_prefix(1);
  }
  size_t e = text.find_first_of("eE");
  std::string_view mantissa = text.substr(0, e);
  long exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view exp = text.substr(e + 1);
    bool negative = !exp.empty() && exp[0] == '-';
    if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) exp.remove_prefix(1);
    if (exp.empty() || exp.size() > 4 ||
        exp.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    exponent = std::stol(std::string(exp)) * (negative ? -1 : 1);
  }
  size_t dot = mantissa.find('.');
  std::string whole(mantissa.substr(0, dot));
  std::string fraction(dot == std::string_view::npos ? std::string_view()
                                                     : mantissa.substr(dot + 1));
  std::string digits = whole + fraction;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  long point = static_cast<long>(whole.size()) + exponent;  // digits before the decimal point
  if (point <= 0) return sign + "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  if (static_cast<size_t>(point) >= digits.size()) {
    return sign + digits + std::string(static_cast<size_t>(point) - digits.size(), '0');
  }
  return sign + digits.substr(0, static_cast<size_t>(point)) + "." +
         digits.substr(static_cast<size_t>(point));
}

}  // namespace

std::optional<Decimal> RoundToScale(std::string_view input) {
  std::optional<std::string> expanded = Expand(input);
  if (!expanded) return std::nullopt;
  std::string_view text = *expanded;
  size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  size_t keep = dot + 1 + static_cast<size_t>(Decimal::kScale);
  if (text.size() <= keep) return std::nullopt;
  std::string_view rest = text.substr(keep);
  Result<Decimal> kept = Decimal::Parse(text.substr(0, keep));
  if (!kept.ok()) return std::nullopt;
  // Half-even on the dropped digits: above one half rounds away from zero, exactly one half
  // rounds to an even last digit.
  int cmp = rest[0] < '5' ? -1 : (rest[0] > '5' ? 1 : 0);
  if (cmp == 0 && rest.find_first_not_of('0', 1) != std::string_view::npos) cmp = 1;
  bool odd = (text[keep - 1] - '0') % 2 == 1;
  if (cmp > 0 || (cmp == 0 && odd)) {
    Decimal ulp = Decimal::FromRaw(text[0] == '-' ? -1 : 1);
    if (!kept->TryAdd(ulp)) return std::nullopt;
  }
  return *kept;
}

bool FieldReader::Number(int column, std::optional<Decimal>* out, int* digits) {
  std::string_view text;
  char written[32];
  if (const double* cell = DoubleCell(column)) {
    uint64_t bits;
    std::memcpy(&bits, cell, sizeof bits);
    if (known_doubles_ == nullptr) known_doubles_ = std::make_unique<KnownDouble[]>(kKnownDoubles);
    KnownDouble& known = known_doubles_[KnownDoubleSlot(bits)];
    if (known.known && known.bits == bits) {
      *out = known.value;
      if (digits != nullptr) *digits = known.digits;
      return true;
    }
    uint64_t significand = 0;
    int scale = 0;
    if (ShortestDecimalDigits(*cell, &significand, &scale) &&
        Decimal::TryFromScaled(
            *cell < 0 ? -static_cast<int64_t>(significand) : static_cast<int64_t>(significand),
            scale, &known.value)) {
      // Member by member: a whole-struct copy through the stack stalls on the stores just made.
      known.known = true;
      known.bits = bits;
      known.digits = std::max(scale, 0);
      *out = known.value;
      if (digits != nullptr) *digits = known.digits;
      return true;
    }
    known.known = false;
    // Any other value is read from the text to_chars writes for it, as a text file's would be.
    text = std::string_view(written, std::to_chars(written, written + sizeof written, *cell).ptr);
  } else if (!HoldsDoubles(column)) {
    text = Text(column);
  }
  if (text.empty()) {
    if (digits != nullptr) *digits = 0;
    out->reset();
    return true;
  }
  if (Decimal value; Decimal::TryParse(text, &value, digits)) {
    *out = value;
    return true;
  }
  if (std::optional<Decimal> rounded = RoundToScale(text)) {
    ++rounded_values_;
    if (digits != nullptr) *digits = Decimal::kScale;
    *out = *rounded;
    return true;
  }
  failure_ = {column, Decimal::Parse(text).status().message(), std::string(text),
              "the value must be a decimal number such as 12.5 or 4.0E-7"};
  return false;
}

bool FieldReader::Time(int column, Timestamp* out) {
  std::string_view text = Text(column);
  if (text.empty()) {
    *out = 0;
    return true;
  }
  // The billing period's dates are the same on every row, and a usage hour on many rows in a
  // row: the column's last text answers most rows without parsing.
  if (static_cast<size_t>(column) >= last_times_.size()) {
    last_times_.resize(static_cast<size_t>(column) + 1);
  }
  LastTime& last = last_times_[static_cast<size_t>(column)];
  if (last.parsed && text == last.text) {
    *out = last.value;
    return true;
  }
  Result<Timestamp> t = ParseTimestamp(text);
  if (!t.ok()) {
    failure_ = {column, t.status().message(), std::string(text),
                "timestamps look like 2023-11-01T00:00:00Z or 2023-11-01 00:00:00"};
    return false;
  }
  last.text.assign(text);
  last.value = *t;
  last.parsed = true;
  *out = *t;
  return true;
}

bool FieldReader::JsonMap(int column,
                          const std::function<void(std::string_view, std::string_view)>& entry) {
  std::string_view text = Text(column);
  Status status = ForEachJsonMember(text, entry);
  if (!status.ok()) {
    failure_ = {column, status.message(), std::string(text),
                "the cell must be a JSON object of text values, e.g. {\"user_team\": \"web\"}"};
    return false;
  }
  return true;
}

Status FieldReader::Reject(bool* skip) {
  return Reject(skip, failure_.column, failure_.reason, failure_.raw, failure_.hint);
}

Status FieldReader::Reject(bool* skip, int column, std::string reason, std::string raw,
                           std::string hint) {
  rebill::Reject reject;
  reject.stage = "ingest";
  reject.file = path_;
  reject.row = row_;
  if (column >= 0) reject.column = header_[static_cast<size_t>(column)];
  reject.reason = std::move(reason);
  reject.raw_text = raw.substr(0, 200);
  reject.hint = std::move(hint);
  *skip = true;
  return rejects_.Add(std::move(reject));
}

Status FieldReader::RejectRequiredEmpty(bool* skip, int column) {
  return Reject(skip, column, "the value is empty but the column is required", "",
                "the provider fills this column on every row; re-download the file");
}

Status RowParser::ParseMeasures(const RowCells& cells, uint64_t row, const CurLine& shape,
                                RowMeasures* out, bool* skip) {
  CurLine line = shape;
  LineTexts texts;
  REBILL_RETURN_IF_ERROR(Parse(cells, row, &line, &texts, skip));
  *out = RowMeasures::Of(line);
  return Status::Ok();
}

std::unique_ptr<RowParser> RowParser::Make(Format format, bool hive_text, const std::string& path,
                                           RejectSink& rejects) {
  if (IsFocus(format)) return MakeFocusParser(path, rejects);
  return MakeCurParser(format, hive_text, path, rejects);
}

}  // namespace rebill::ingest
