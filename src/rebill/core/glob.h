// Glob patterns for configuration values: '*' matches any run of characters (including none);
// every other character matches itself. Used to match usage types, account names, OU paths and
// credit descriptions.
#pragma once

#include <string_view>

namespace rebill {

/// True if `text` matches `pattern` as a whole.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace rebill
