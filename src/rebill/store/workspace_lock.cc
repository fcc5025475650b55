#include "rebill/store/workspace_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rebill::store {

Result<std::unique_ptr<WorkspaceLock>> WorkspaceLock::Acquire(const std::string& workspace) {
  std::string path = workspace + "/.rebill.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return IoError(path + ": cannot open the workspace lock: " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Conflict("another rebill command is working in " + workspace +
                    "; wait for it to finish and try again");
  }
  return std::unique_ptr<WorkspaceLock>(new WorkspaceLock(fd));
}

Result<std::unique_ptr<WorkspaceLock>> WorkspaceLock::AcquireWaiting(const std::string& workspace,
                                                                     int seconds) {
  for (int waited_ms = 0;; waited_ms += 50) {
    Result<std::unique_ptr<WorkspaceLock>> lock = Acquire(workspace);
    if (lock.ok() || lock.status().code() != StatusCode::kConflict || waited_ms >= seconds * 1000) {
      return lock;
    }
    ::usleep(50 * 1000);
  }
}

WorkspaceLock::~WorkspaceLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace rebill::store
