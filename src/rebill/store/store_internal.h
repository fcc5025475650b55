// Schema migration steps, for tests that build a store as an earlier release left it.
#pragma once

#include "rebill/core/result.h"
#include "rebill/store/connection.h"

namespace rebill::store {

/// The schema version this rebill writes.
int LatestSchemaVersion();

/// Apply migrations up to `version` (never down), each in one transaction.
Status MigrateTo(Connection* db, int version);

}  // namespace rebill::store
