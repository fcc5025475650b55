// Text as CSV fields and HTML carry it, for every output that writes either.
#pragma once

#include <string>
#include <string_view>

namespace rebill {

/// An RFC 4180 field: as is, or quoted with inner quotes doubled when it holds a comma, a quote
/// or a line break.
std::string CsvField(std::string_view text);

/// Text safe inside HTML elements and quoted attributes (& < > " ' escaped).
std::string HtmlEscape(std::string_view text);

}  // namespace rebill
