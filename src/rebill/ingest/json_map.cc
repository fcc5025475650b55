#include <nlohmann/json.hpp>
#include <string>

#include "rebill/ingest/json_map_internal.h"

namespace rebill::ingest {
namespace {

// A SAX handler, because the DOM parser would turn numbers into doubles and lose the text that
// money must be parsed from.
class FlatObjectHandler {
 public:
  using Json = nlohmann::json;

  explicit FlatObjectHandler(const std::function<void(std::string_view, std::string_view)>& entry)
      : entry_(entry) {}

  bool null() { return Scalar(std::nullopt); }
  bool boolean(bool value) { return Scalar(value ? "true" : "false"); }
  bool number_integer(Json::number_integer_t value) { return Scalar(std::to_string(value)); }
  bool number_unsigned(Json::number_unsigned_t value) { return Scalar(std::to_string(value)); }
  bool number_float(Json::number_float_t /*value*/, const Json::string_t& text) {
    return Scalar(text);
  }
  bool string(Json::string_t& value) { return Scalar(value); }
  bool binary(Json::binary_t& /*value*/) { return Fail("binary values are not allowed"); }
  bool start_object(std::size_t /*size*/) {
    if (depth_++ > 0) return Fail("the value of '" + key_ + "' is an object, not text");
    return true;
  }
  bool end_object() {
    --depth_;
    return true;
  }
  bool start_array(std::size_t /*size*/) {
    return Fail(depth_ == 0 ? "the cell is a JSON array, not an object"
                            : "the value of '" + key_ + "' is an array, not text");
  }
  bool end_array() { return true; }
  bool key(Json::string_t& key) {
    key_ = key;
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& error) {
    // nlohmann's messages start "[json.exception.parse_error.101] parse error at line 1...".
    std::string what = error.what();
    size_t start = what.find("] ");
    return Fail(start == std::string::npos ? what : what.substr(start + 2));
  }

  const std::string& error() const { return error_; }

 private:
  bool Scalar(std::optional<std::string_view> value) {
    if (depth_ == 0) return Fail("the cell is not a JSON object");
    if (value.has_value()) entry_(key_, *value);
    return true;
  }
  bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }

  const std::function<void(std::string_view, std::string_view)>& entry_;
  int depth_ = 0;
  std::string key_;
  std::string error_;
};

}  // namespace

Status ForEachJsonMember(std::string_view text,
                         const std::function<void(std::string_view, std::string_view)>& entry) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return Status::Ok();
  FlatObjectHandler handler(entry);
  bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &handler,
                                      nlohmann::json::input_format_t::json, /*strict=*/true);
  if (!ok) {
    return InvalidInput(handler.error().empty() ? "the cell is not a JSON object"
                                                : handler.error());
  }
  return Status::Ok();
}

}  // namespace rebill::ingest
