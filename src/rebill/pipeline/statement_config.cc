// The statement header keys of rebill.toml: the reseller's address, tax id and branding, and
// each customer's address, tax id, language and line grouping (docs/configuration.md).
#include <filesystem>
#include <fstream>

#include "rebill/pipeline/config_reader_internal.h"
#include "rebill/report/locale.h"

namespace rebill::pipeline {
namespace {

Result<std::vector<std::string>> Lines(const ConfigReader& reader,
                                       const toml::node_view<const toml::node>& node,
                                       const std::string& key) {
  std::vector<std::string> out;
  if (!node) return out;
  if (node.is_string()) {
    out.push_back(*node.value<std::string>());
    return out;
  }
  if (!node.is_array()) {
    return reader.Error(key, "must be an array of lines, e.g. [\"Hauptstr. 1\", \"10115 Berlin\"]");
  }
  size_t i = 0;
  for (const toml::node& line : *node.as_array()) {
    if (!line.is_string()) {
      return reader.Error(key + "[" + std::to_string(i) + "]", "must be a string");
    }
    out.push_back(*line.value<std::string>());
    ++i;
  }
  return out;
}

Result<std::string> Language(const ConfigReader& reader,
                             const toml::node_view<const toml::node>& node, const std::string& key,
                             const std::string& fallback) {
  REBILL_ASSIGN_OR_RETURN(std::string tag, reader.String(node, key, false, fallback));
  if (report::FindLocale(tag) == nullptr) {
    std::string known;
    for (const std::string& t : report::LocaleTags()) known += (known.empty() ? "" : ", ") + t;
    return reader.Error(key, "'" + tag + "' is not a statement language (known: " + known + ")");
  }
  return tag;
}

Result<std::string> LinesBy(const ConfigReader& reader,
                            const toml::node_view<const toml::node>& node, const std::string& key,
                            const std::string& fallback) {
  REBILL_ASSIGN_OR_RETURN(std::string by, reader.String(node, key, false, fallback));
  if (by != "service" && by != "account") {
    return reader.Error(key, "'" + by + "' is not a line grouping; use \"service\" or \"account\"");
  }
  return by;
}

bool IsHexColour(const std::string& colour) {
  if (colour.size() != 7 || colour[0] != '#') return false;
  for (size_t i = 1; i < colour.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(colour[i]))) return false;
  }
  return true;
}

}  // namespace

Status ParseStatementHeader(const ConfigReader& reader,
                            const toml::node_view<const toml::node>& reseller,
                            const std::string& workspace_dir, report::StatementSettings& out,
                            StatementDefaults& defaults) {
  out.issuer.name = out.reseller;
  REBILL_ASSIGN_OR_RETURN(out.issuer.address,
                          Lines(reader, reseller["address"], "reseller.address"));
  REBILL_ASSIGN_OR_RETURN(out.issuer.tax_id,
                          reader.String(reseller["tax_id"], "reseller.tax_id", false));
  REBILL_ASSIGN_OR_RETURN(out.branding.logo,
                          reader.String(reseller["logo"], "reseller.logo", false));
  if (!out.branding.logo.empty()) {
    namespace fs = std::filesystem;
    fs::path path(out.branding.logo);
    if (path.is_relative()) path = fs::path(workspace_dir) / path;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return reader.Error("reseller.logo", "cannot read '" + path.string() +
                                               "'; give the path of a PNG image, relative to "
                                               "the workspace");
    }
    char signature[8] = {};
    in.read(signature, sizeof signature);
    if (std::string_view(signature, sizeof signature) != "\x89PNG\r\n\x1a\n") {
      return reader.Error("reseller.logo",
                          "'" + path.string() + "' is not a PNG image; convert the logo to PNG");
    }
  }
  REBILL_ASSIGN_OR_RETURN(
      out.branding.accent,
      reader.String(reseller["accent_colour"], "reseller.accent_colour", false, "#2b59c3"));
  if (!IsHexColour(out.branding.accent)) {
    return reader.Error("reseller.accent_colour", "'" + out.branding.accent +
                                                      "' is not a colour; write it as \"#rrggbb\", "
                                                      "e.g. \"#2b59c3\"");
  }
  for (char& c : out.branding.accent) c = static_cast<char>(std::tolower(c));
  REBILL_ASSIGN_OR_RETURN(out.branding.paper,
                          reader.String(reseller["paper"], "reseller.paper", false, "A4"));
  if (out.branding.paper != "A4" && out.branding.paper != "Letter") {
    return reader.Error("reseller.paper", "'" + out.branding.paper +
                                              "' is not a paper size; use \"A4\" or \"Letter\"");
  }
  REBILL_ASSIGN_OR_RETURN(defaults.language,
                          Language(reader, reseller["language"], "reseller.language", "en"));
  REBILL_ASSIGN_OR_RETURN(defaults.lines_by,
                          LinesBy(reader, reseller["lines_by"], "reseller.lines_by", "service"));
  return Status::Ok();
}

Status ParseCustomerHeader(const ConfigReader& reader, const toml::node_view<const toml::node>& c,
                           const std::string& key, const StatementDefaults& defaults,
                           report::CustomerInfo& info) {
  REBILL_ASSIGN_OR_RETURN(std::string legal_name,
                          reader.String(c["legal_name"], key + ".legal_name", false, info.name));
  info.bill_to.name = legal_name;
  REBILL_ASSIGN_OR_RETURN(info.bill_to.address, Lines(reader, c["address"], key + ".address"));
  REBILL_ASSIGN_OR_RETURN(info.bill_to.tax_id, reader.String(c["tax_id"], key + ".tax_id", false));
  REBILL_ASSIGN_OR_RETURN(info.language,
                          Language(reader, c["language"], key + ".language", defaults.language));
  REBILL_ASSIGN_OR_RETURN(info.lines_by,
                          LinesBy(reader, c["lines_by"], key + ".lines_by", defaults.lines_by));
  return Status::Ok();
}

}  // namespace rebill::pipeline
