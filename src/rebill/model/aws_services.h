// AWS product codes as the CUR writes them (`lineItem/ProductCode`), with readable names for
// statements and a check that catches mistyped codes in the configuration.
#pragma once

#include <string>
#include <string_view>

namespace rebill {

/// "AmazonEC2" -> "Amazon Elastic Compute Cloud"; unknown codes are returned as they are.
std::string ServiceDisplayName(std::string_view product_code);

/// True for the product codes rebill knows by name.
bool IsKnownService(std::string_view product_code);

/// A known code that differs from `product_code` only by letter case or one or two typing
/// mistakes ("AmazonEc2" -> "AmazonEC2"), or empty when there is none.
std::string SuggestService(std::string_view product_code);

}  // namespace rebill
