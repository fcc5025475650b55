// The example reseller of `rebill demo`: Northwind Cloud, three customers (one with two
// accounts), an account nobody owns, and a generated legacy CUR for October 2026 with usage,
// Savings Plan covered usage / negation / recurring fee, RI discounted usage / RI fee, a credit,
// a refund, tax and an AWS Marketplace subscription.
#pragma once

#include <string>

#include "rebill/core/period.h"
#include "rebill/core/result.h"

namespace rebill::pipeline {

struct DemoResult {
  BillingPeriod period;
  std::string cur_path;  // the generated CUR, inside the workspace
};

/// Create the workspace `dir` (as `rebill init` does), write the example rebill.toml and the
/// generated CUR. Fails with kAlreadyExists if `dir` already holds a workspace.
Result<DemoResult> WriteDemoWorkspace(const std::string& dir);

/// The generated CUR text (deterministic).
std::string DemoCurCsv();

}  // namespace rebill::pipeline
