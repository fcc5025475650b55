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

bool FieldReader::Number(int column, std::optional<Decimal>* out, int* digits) {
  std::string_view text = Text(column);
  Result<std::optional<Decimal>> value = Decimal::ParseNullable(text, digits);
  if (!value.ok()) {
    failure_ = {column, value.status().message(), std::string(text),
                "the value must be a decimal number such as 12.5 or 4.0E-7"};
    return false;
  }
  *out = *value;
  return true;
}

bool FieldReader::Time(int column, Timestamp* out) {
  std::string_view text = Text(column);
  if (text.empty()) {
    *out = 0;
    return true;
  }
  Result<Timestamp> t = ParseTimestamp(text);
  if (!t.ok()) {
    failure_ = {column, t.status().message(), std::string(text),
                "timestamps look like 2023-11-01T00:00:00Z or 2023-11-01 00:00:00"};
    return false;
  }
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

std::unique_ptr<RowParser> RowParser::Make(Format format, bool hive_text, const std::string& path,
                                           RejectSink& rejects) {
  if (IsFocus(format)) return MakeFocusParser(path, rejects);
  return MakeCurParser(format, hive_text, path, rejects);
}

}  // namespace rebill::ingest
