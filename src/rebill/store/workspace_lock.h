// WorkspaceLock: one writer per workspace. Commands that change the workspace (ingest, run)
// hold an exclusive advisory lock on `<workspace>/.rebill.lock`; a second one exits with a
// conflict instead of interleaving. The kernel drops the lock when the process dies, so a killed
// command never leaves the workspace locked.
#pragma once

#include <memory>
#include <string>

#include "rebill/core/result.h"

namespace rebill::store {

class WorkspaceLock {
 public:
  /// Take the lock or fail with kConflict at once.
  static Result<std::unique_ptr<WorkspaceLock>> Acquire(const std::string& workspace);
  /// Take the lock, waiting up to `seconds` for another command to release it. For short
  /// bookkeeping commands (close, void, payments) that two people may start at the same time.
  static Result<std::unique_ptr<WorkspaceLock>> AcquireWaiting(const std::string& workspace,
                                                               int seconds);
  ~WorkspaceLock();
  WorkspaceLock(const WorkspaceLock&) = delete;
  WorkspaceLock& operator=(const WorkspaceLock&) = delete;

 private:
  explicit WorkspaceLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace rebill::store
