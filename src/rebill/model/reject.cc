#include "rebill/model/reject.h"

namespace rebill {

std::string Reject::ToString() const {
  std::string out = file + ": row " + std::to_string(row);
  if (!column.empty()) out += ", column " + column;
  out += ": " + reason;
  if (!hint.empty()) out += " (" + hint + ")";
  return out;
}

Status RejectSink::Add(Reject reject) {
  rejects_.push_back(std::move(reject));
  if (policy_.kind == RejectPolicy::Kind::kFail || rejects_.size() > policy_.max_rows) {
    std::string message = rejects_.back().ToString();
    if (policy_.kind == RejectPolicy::Kind::kSkipUpTo) {
      message += "; more than " + std::to_string(policy_.max_rows) + " rejected rows";
    }
    return InvalidInput(std::move(message));
  }
  return Status::Ok();
}

}  // namespace rebill
