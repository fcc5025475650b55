// Reading the AWS Organizations exports that `rebill accounts import` takes: the JSON printed
// by `aws organizations list-accounts` ({"Accounts": [...]}) and by
// `aws organizations list-handshakes-for-organization` ({"Handshakes": [...]}), one page per
// file or auto-paginated. Pure: the caller reads the file.
#pragma once

#include <string>

#include "rebill/core/result.h"
#include "rebill/model/organization.h"

namespace rebill::map {

/// Parse one export; `file` names it in errors. The kind is detected from its top-level key.
/// Accounts must have a 12-digit Id; timestamps may be ISO 8601 or epoch seconds.
Result<Organization> ParseOrganizationJson(const std::string& text, const std::string& file);

}  // namespace rebill::map
