// Text as CSV fields, HTML and file names carry it, for every output that writes one.
#pragma once

#include <string>
#include <string_view>

namespace rebill {

/// An RFC 4180 field: as is, or quoted with inner quotes doubled when it holds a comma, a quote
/// or a line break.
std::string CsvField(std::string_view text);

/// Text safe inside HTML elements and quoted attributes (& < > " ' escaped).
std::string HtmlEscape(std::string_view text);

/// `id` as one component of a file name, one to one even where file names ignore case: digits,
/// lower-case ASCII letters and '-' as they are, every other byte as '_' and two lower-case hex
/// digits.
/// AWS account ids come out unchanged; other providers' billing accounts
/// ("/providers/Microsoft.Billing/billingAccounts/8611537") come out without a slash. At most
/// kMaxFileNamePart bytes: a longer result keeps its start and ends with '~' and 16 hex digits of
/// the id's SHA-256, which no unshortened one contains.
std::string FileNamePart(std::string_view id);
inline constexpr size_t kMaxFileNamePart = 120;

}  // namespace rebill
