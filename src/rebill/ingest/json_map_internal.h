// The JSON-object cells of CUR 2.0 (`product`, `resource_tags`, `cost_category`, `discount`,
// `tags`) and FOCUS (`Tags`, `x_CostCategories`): flat objects of scalars.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "rebill/core/result.h"

namespace rebill::ingest {

/// Call `entry(key, value)` for each member of the JSON object `text`, in the order written.
/// Values are given as text: strings unescaped, numbers exactly as written (never through
/// binary floating point), true/false as such; null members are skipped. Empty text is an
/// empty map. Fails with kInvalidInput (a short reason, no file name) when `text` is not a JSON
/// object or a member's value is an object or array.
Status ForEachJsonMember(std::string_view text,
                         const std::function<void(std::string_view, std::string_view)>& entry);

}  // namespace rebill::ingest
