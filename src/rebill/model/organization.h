// The reseller's AWS Organization as imported from `aws organizations list-accounts` and
// `list-handshakes-for-organization` (reference §5.1, §5.3).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "rebill/core/period.h"

namespace rebill {

struct OrgAccount {
  std::string id;
  std::string name;
  std::string email;
  std::string state;               // ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, ... (or Status)
  std::string joined_method;       // INVITED | CREATED
  Timestamp joined = 0;            // JoinedTimestamp
  std::vector<std::string> paths;  // OU paths, when exported
  std::vector<std::pair<std::string, std::string>> tags;  // account tags, when exported

  friend bool operator==(const OrgAccount&, const OrgAccount&) = default;
};

/// An invitation to join the organization.
struct Handshake {
  std::string id;
  std::string action;   // INVITE, ...
  std::string state;    // REQUESTED, OPEN, ACCEPTED, DECLINED, CANCELED, EXPIRED
  std::string account;  // the invited account id, when the handshake names one
  std::string email;    // the invited e-mail, when it names one
  Timestamp requested = 0;
  Timestamp expires = 0;

  friend bool operator==(const Handshake&, const Handshake&) = default;
};

struct Organization {
  std::vector<OrgAccount> accounts;
  std::vector<Handshake> handshakes;
  bool empty() const { return accounts.empty() && handshakes.empty(); }
};

}  // namespace rebill
