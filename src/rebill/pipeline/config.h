// The workspace configuration, rebill.toml (docs/configuration.md): the reseller, its
// policies, customers with their accounts over time, and price plans. Loading turns the TOML into
// each stage's typed input; every error names the config key and says what to change.
//
//   REBILL_ASSIGN_OR_RETURN(WorkspaceConfig config, LoadConfig(workspace + "/rebill.toml"));
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rebill/allocate/allocate.h"
#include "rebill/core/result.h"
#include "rebill/map/map.h"
#include "rebill/price/price.h"
#include "rebill/report/statement_builder.h"

namespace rebill::pipeline {

/// A per-commitment policy override, in force for periods [from, to].
struct Override {
  std::string arn;
  allocate::CommitmentRule rule;
  BillingPeriod from;
  BillingPeriod to;
};

/// [invoice]: numbering, payment terms and how corrections of closed periods are issued.
struct InvoiceSettings {
  std::string number_format = "INV-{year}-{seq:05}";
  std::string credit_note_format = "CN-{year}-{seq:05}";
  std::string debit_note_format = "DN-{year}-{seq:05}";
  int64_t payment_terms_days = 30;
  /// false: corrections go on the customer's next open statement as adjustment lines;
  /// true: each correction is issued at once as a standalone credit or debit note.
  bool corrections_as_notes = false;
};

struct WorkspaceConfig {
  std::string reseller_name;
  std::string legal_entity;
  std::string currency;  // the reseller's currency, default for customers
  /// The allocation policy in force from each period on (the first from the beginning).
  std::vector<std::pair<BillingPeriod, allocate::Policy>> policies;
  std::vector<Override> commitment_overrides;
  std::map<std::string, allocate::CommitmentRule> customer_overrides;  // customer contracts
  std::vector<allocate::CreditRule> credit_rules;
  map::AccountMap accounts;
  price::PriceBook prices;
  report::StatementSettings statements;
  InvoiceSettings invoice;
  std::vector<std::string> tag_keys;  // tags the configuration references
  /// [ingest]: how many malformed rows an ingest tolerates. Neither set: none, the first
  /// malformed row fails the ingest. Each one set is a limit of its own.
  std::optional<uint64_t> max_rejected_rows;
  std::optional<Decimal> max_rejected_percent;
  std::map<std::string, std::string> parents;  // customer -> parent customer (business units)
  /// [margin]: the view of the reseller's true cost ("amortized" or "cash" = unblended; unset:
  /// the cost view of [policy]) and the margin % below which a customer raises an alert.
  std::optional<CostView> margin_cost_view;
  std::optional<Decimal> margin_alert_below_percent;
  std::string store_url;  // [store] url: a postgresql:// URL, or empty for the workspace's file
  std::string sha256;     // of the file's bytes, recorded with every run
  std::vector<std::string> warnings;  // e.g. price rules that never apply
};

/// Parse rebill.toml text; `file` names it in errors.
Result<WorkspaceConfig> ParseConfig(const std::string& text, const std::string& file);
/// The allocation policy for `period`: the [policy] change in force then, with the commitment
/// overrides active in that period, customer contracts and credit rules.
allocate::Policy PolicyFor(const WorkspaceConfig& config, BillingPeriod period);

/// Read and parse the file at `path`.
Result<WorkspaceConfig> LoadConfig(const std::string& path);

/// Only the [store] url of the file at `path` (empty without one, or without the file), so
/// that commands which need no pricing can open the store even while the rest is being edited.
Result<std::string> LoadStoreUrl(const std::string& path);

/// The commented rebill.toml that `rebill init` writes.
std::string DefaultConfigText();

}  // namespace rebill::pipeline
