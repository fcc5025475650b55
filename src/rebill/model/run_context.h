// RunContext: everything a stage may know about the world. Stages are pure: they read no store,
// clock or network; the runner hands them the period, a fixed clock and a reject sink.
#pragma once

#include "rebill/core/period.h"
#include "rebill/model/reject.h"

namespace rebill {

struct RunContext {
  BillingPeriod period;
  Timestamp now = 0;  // fixed for the whole run, so that outputs are reproducible
  RejectSink* rejects = nullptr;
};

}  // namespace rebill
