// Readable names for AWS product codes on statements ("AmazonEC2" -> "Amazon Elastic Compute
// Cloud"). Codes not in the table are shown as they are.
#pragma once

#include <string>
#include <string_view>

namespace rebill::report {

std::string ServiceDisplayName(std::string_view product_code);

}  // namespace rebill::report
