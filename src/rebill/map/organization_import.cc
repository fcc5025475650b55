#include "rebill/map/organization_import.h"

#include <nlohmann/json.hpp>

#include "rebill/core/ids.h"

namespace rebill::map {
namespace {

using Json = nlohmann::json;

std::string Text(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// CLI v2 prints ISO 8601; the raw API (and CLI v1) epoch seconds, possibly fractional.
Result<Timestamp> Time(const Json& object, const char* key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return Timestamp{0};
  if (it->is_number()) return static_cast<Timestamp>(it->get<double>());
  if (it->is_string()) {
    std::string text = it->get<std::string>();
    // Drop a "+00:00" style offset; AWS prints UTC.
    if (text.size() > 6 && (text.compare(text.size() - 6, 6, "+00:00") == 0)) {
      text.resize(text.size() - 6);
    }
    Result<Timestamp> t = ParseTimestamp(text);
    if (!t.ok()) return InvalidInput(where + "." + key + ": " + t.status().message());
    return t;
  }
  return InvalidInput(where + "." + key + ": expected a timestamp");
}

}  // namespace

Result<Organization> ParseOrganizationJson(const std::string& text, const std::string& file) {
  Json root = Json::parse(text, nullptr, false);
  if (root.is_discarded() || !root.is_object()) {
    return InvalidInput(file +
                        ": not JSON; export with `aws organizations list-accounts "
                        "--output json` or `list-handshakes-for-organization --output json`");
  }
  Organization org;
  if (root.contains("Accounts")) {
    if (!root["Accounts"].is_array()) return InvalidInput(file + ": Accounts must be an array");
    size_t i = 0;
    for (const Json& a : root["Accounts"]) {
      std::string where = file + ": Accounts[" + std::to_string(i++) + "]";
      if (!a.is_object()) return InvalidInput(where + ": must be an object");
      OrgAccount account;
      account.id = Text(a, "Id");
      if (!AccountId::IsValid(account.id)) {
        return InvalidInput(where + ".Id: '" + account.id + "' is not a 12-digit account id");
      }
      account.name = Text(a, "Name");
      account.email = Text(a, "Email");
      account.state = Text(a, "State");
      if (account.state.empty()) account.state = Text(a, "Status");  // before State existed
      account.joined_method = Text(a, "JoinedMethod");
      REBILL_ASSIGN_OR_RETURN(account.joined, Time(a, "JoinedTimestamp", where));
      if (a.contains("Paths") && a["Paths"].is_array()) {
        for (const Json& p : a["Paths"]) {
          if (p.is_string()) account.paths.push_back(p.get<std::string>());
        }
      }
      if (a.contains("Tags") && a["Tags"].is_array()) {
        for (const Json& t : a["Tags"]) {
          if (t.is_object()) account.tags.emplace_back(Text(t, "Key"), Text(t, "Value"));
        }
      }
      org.accounts.push_back(std::move(account));
    }
    return org;
  }
  if (root.contains("Handshakes")) {
    if (!root["Handshakes"].is_array()) {
      return InvalidInput(file + ": Handshakes must be an array");
    }
    size_t i = 0;
    for (const Json& h : root["Handshakes"]) {
      std::string where = file + ": Handshakes[" + std::to_string(i++) + "]";
      if (!h.is_object()) return InvalidInput(where + ": must be an object");
      Handshake handshake;
      handshake.id = Text(h, "Id");
      if (handshake.id.empty()) return InvalidInput(where + ".Id: missing");
      handshake.action = Text(h, "Action");
      handshake.state = Text(h, "State");
      static const char* kStates[] = {"REQUESTED", "OPEN",     "ACCEPTED",
                                      "DECLINED",  "CANCELED", "EXPIRED"};
      bool known = false;
      for (const char* s : kStates) known = known || handshake.state == s;
      if (!known) {
        return InvalidInput(where + ".State: '" + handshake.state +
                            "' is not a handshake state (REQUESTED, OPEN, ACCEPTED, DECLINED, "
                            "CANCELED, EXPIRED)");
      }
      REBILL_ASSIGN_OR_RETURN(handshake.requested, Time(h, "RequestedTimestamp", where));
      REBILL_ASSIGN_OR_RETURN(handshake.expires, Time(h, "ExpirationTimestamp", where));
      // The invited party: an ACCOUNT or EMAIL party that is not the organization itself.
      if (h.contains("Parties") && h["Parties"].is_array()) {
        for (const Json& p : h["Parties"]) {
          std::string type = Text(p, "Type");
          if (type == "ACCOUNT") handshake.account = Text(p, "Id");
          if (type == "EMAIL") handshake.email = Text(p, "Id");
        }
      }
      org.handshakes.push_back(std::move(handshake));
    }
    return org;
  }
  return InvalidInput(file +
                      ": neither an 'Accounts' nor a 'Handshakes' list; export with `aws "
                      "organizations list-accounts` or `list-handshakes-for-organization`");
}

}  // namespace rebill::map
