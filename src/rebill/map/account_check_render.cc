#include <nlohmann/json.hpp>

#include "rebill/map/map.h"

namespace rebill::map {

std::string RenderAccountCheckJson(const AccountCheck& c, BillingPeriod period, int scale) {
  using Json = nlohmann::ordered_json;
  Json out = Json::object();
  out["period"] = period.ToString();
  Json unassigned = Json::array();
  for (const auto& s : c.unassigned_spend) {
    unassigned.push_back(
        {{"account", s.account}, {"amount", s.amount.ToString(scale)}, {"lines", s.lines}});
  }
  out["unassigned_spend"] = unassigned;
  Json without = Json::array();
  for (const auto& [account, customer] : c.configured_without_usage) {
    without.push_back({{"account", account}, {"customer", customer}});
  }
  out["configured_without_usage"] = without;
  Json changes = Json::array();
  for (const auto& ch : c.owner_changes) {
    changes.push_back({{"account", ch.account}, {"owners", ch.owners}});
  }
  out["owner_changes"] = changes;
  Json unmatched = Json::array();
  for (const auto& u : c.unmatched_tag_values) {
    unmatched.push_back({{"account", u.account},
                         {"key", u.key},
                         {"value", u.value.empty() ? Json(nullptr) : Json(u.value)},
                         {"amount", u.amount.ToString(scale)},
                         {"split", u.config_key}});
  }
  out["unmatched_tag_values"] = unmatched;
  out["organization_imported"] = c.organization_imported;
  out["missing_from_organization"] = c.missing_from_organization;
  return out.dump(2) + "\n";
}

std::string RenderAccountCheckText(const AccountCheck& c, BillingPeriod period, int scale) {
  std::string out = "account check " + period.ToString() + "\n";
  auto section = [&](const std::string& title, size_t count) {
    out += "  " + title + ": " + (count == 0 ? std::string("none") : std::to_string(count)) + "\n";
  };
  section("accounts with spend and no customer", c.unassigned_spend.size());
  for (const auto& s : c.unassigned_spend) {
    out += "    " + s.account + "  " + s.amount.ToString(scale) + " (" + std::to_string(s.lines) +
           " lines)\n";
  }
  section("configured accounts with no usage", c.configured_without_usage.size());
  for (const auto& [account, customer] : c.configured_without_usage) {
    out += "    " + account + "  " + customer + "\n";
  }
  section("accounts whose owner changed", c.owner_changes.size());
  for (const auto& ch : c.owner_changes) {
    std::string owners;
    for (const std::string& o : ch.owners) owners += (owners.empty() ? "" : " -> ") + o;
    out += "    " + ch.account + "  " + owners + "\n";
  }
  section("tag values no split rule matches", c.unmatched_tag_values.size());
  for (const auto& u : c.unmatched_tag_values) {
    out += "    " + u.account + "  " + u.key + "=" + (u.value.empty() ? "(untagged)" : u.value) +
           "  " + u.amount.ToString(scale) + "  (" + u.config_key + ")\n";
  }
  if (c.organization_imported) {
    section("accounts in the CUR missing from the organization",
            c.missing_from_organization.size());
    for (const std::string& a : c.missing_from_organization) out += "    " + a + "\n";
  } else {
    out += "  organization: not imported (rebill accounts import)\n";
  }
  return out;
}

}  // namespace rebill::map
