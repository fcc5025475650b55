// Deliveries: what AWS wrote to the reseller's S3 bucket, as mirrored into a local folder. A
// delivery is one refresh of one report for one billing period: a manifest and the data files it
// lists. Every refresh restates the whole month, so only the newest delivery of a (report,
// period) is read; older assemblies found beside it are superseded history. Files without any
// manifest around them are read as they are, one delivery each.
//
//   REBILL_ASSIGN_OR_RETURN(std::vector<Delivery> deliveries, FindDeliveries("mirror/cur"));
//
// Layouts (reference §1.2, §2.2):
//   legacy create-new  <report>/<yyyymmdd-yyyymmdd>/<assemblyId>/<report>-<n>.csv.gz, with
//                      <report>-Manifest.json in the assembly folder and, as the pointer to the
//                      newest assembly, in the period folder
//   legacy overwrite   <report>/<yyyymmdd-yyyymmdd>/<report>-<n>.csv.gz + <report>-Manifest.json
//   data exports       <export>/data/BILLING_PERIOD=YYYY-MM/[<execution>/]<export>-<n>.csv.gz with
//                      <export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json
//   athena (parquet)   <report>/<report>/year=YYYY/month=M/<report>-Manifest.json + data files
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rebill/core/period.h"
#include "rebill/core/result.h"

namespace rebill::ingest {

struct ManifestColumn {
  std::string name;  // as the data file's header names it: "lineItem/UnblendedCost"
  std::string type;  // "String", "OptionalBigDecimal", ... ; empty when the manifest omits it
};

struct Manifest {
  std::string path;
  std::string report_name;
  std::string delivery_id;  // legacy assemblyId, Data Exports execution id
  std::string account;      // the account that owns the report
  std::optional<BillingPeriod> period;
  std::vector<ManifestColumn> columns;
  std::vector<std::string> keys;  // the data files' S3 keys, in the manifest's order
};

/// Parse a `<report>-Manifest.json`. Legacy CUR manifests (`assemblyId`, `reportKeys`, columns
/// as {category, name, type}) and Data Exports manifests (execution id, data file list, columns
/// as {name, type}) are both read. Errors name the file and the key.
Result<Manifest> ReadManifest(const std::string& path);

struct Delivery {
  /// "file", "legacy-create-new", "legacy-overwrite", "data-exports" or "athena".
  std::string layout;
  std::optional<Manifest> manifest;
  std::vector<std::string> files;  // local paths, in the manifest's order
  /// Manifests of older (or duplicate) deliveries of the same report and period, not read.
  std::vector<std::string> superseded;
};

/// The deliveries under `path`: a data file, a manifest, or a folder mirroring an S3 bucket
/// (searched recursively). Every file the chosen manifests list must be present; a folder whose
/// newest delivery cannot be told (several assemblies, no pointer manifest) is an error.
Result<std::vector<Delivery>> FindDeliveries(const std::string& path);

/// True for a data file name rebill reads when no manifest says otherwise.
bool LooksLikeBillingFile(const std::string& file_name);

}  // namespace rebill::ingest
