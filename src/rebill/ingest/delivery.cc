#include "rebill/ingest/delivery.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace rebill::ingest {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kManifestSuffix = "-Manifest.json";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Redshift helper manifests share the suffix but list no CUR data.
bool IsManifestName(const std::string& name) {
  return EndsWith(name, kManifestSuffix) && !EndsWith(name, "-RedshiftManifest.json");
}

// "20180801-20180901": the folder of one legacy billing period.
bool IsDateRangeFolder(const std::string& name) {
  if (name.size() != 17 || name[8] != '-') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  }
  return true;
}

// "20180801T000000.000Z" (legacy) or "2023-11-01T00:00:00.000Z": the month it starts.
std::optional<BillingPeriod> PeriodOfDate(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c == '-') continue;
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    digits.push_back(c);
  }
  if (digits.size() < 6) return std::nullopt;
  Result<BillingPeriod> period =
      BillingPeriod::Parse(digits.substr(0, 4) + "-" + digits.substr(4, 2));
  if (!period.ok()) return std::nullopt;
  return *period;
}

const nlohmann::json* FirstOf(const nlohmann::json& object,
                              std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = object.find(key);
    if (it != object.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

std::string StringOr(const nlohmann::json* value, std::string fallback = {}) {
  return value != nullptr && value->is_string() ? value->get<std::string>() : fallback;
}

// The components of an S3 key, without the scheme and bucket of an s3:// URL.
std::vector<std::string> KeyParts(std::string key) {
  if (key.rfind("s3://", 0) == 0) {
    size_t slash = key.find('/', 5);
    key = slash == std::string::npos ? std::string() : key.substr(slash + 1);
  }
  std::vector<std::string> parts;
  std::stringstream in(key);
  std::string part;
  while (std::getline(in, part, '/')) {
    if (!part.empty() && part != ".") parts.push_back(part);
  }
  return parts;
}

// Where the file an S3 key names is in the local mirror. The mirror may start anywhere along
// the key (the user copies the bucket, the prefix or only the report), so the longest tail of
// the key found under the manifest's folder or one of its parents up to `root` wins.
std::optional<std::string> ResolveKey(const std::string& key, const fs::path& manifest_dir,
                                      const fs::path& root) {
  std::vector<std::string> parts = KeyParts(key);
  std::vector<fs::path> anchors;
  for (fs::path dir = manifest_dir;; dir = dir.parent_path()) {
    anchors.push_back(dir);
    if (dir == root || dir == dir.parent_path()) break;
  }
  for (size_t skip = 0; skip < parts.size(); ++skip) {
    fs::path tail;
    for (size_t i = skip; i < parts.size(); ++i) tail /= parts[i];
    for (const fs::path& anchor : anchors) {
      fs::path candidate = anchor / tail;
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal().string();
    }
  }
  return std::nullopt;
}

enum class ManifestPlace { kPointer, kAssemblyCopy };

struct Found {
  Manifest manifest;
  ManifestPlace place = ManifestPlace::kPointer;
  std::string layout;
};

Found Classify(Manifest manifest) {
  fs::path dir = fs::path(manifest.path).parent_path();
  std::string parent = dir.filename().string();
  std::string grandparent = dir.parent_path().filename().string();
  Found found;
  if (IsDateRangeFolder(parent)) {
    found.layout = "legacy";
  } else if (IsDateRangeFolder(grandparent)) {
    found.layout = "legacy-create-new";
    found.place = ManifestPlace::kAssemblyCopy;
  } else if (parent.rfind("BILLING_PERIOD=", 0) == 0) {
    found.layout = "data-exports";
    if (!manifest.period) {
      Result<BillingPeriod> period = BillingPeriod::Parse(parent.substr(15));
      if (period.ok()) manifest.period = *period;
    }
  } else if (parent.rfind("month=", 0) == 0) {
    found.layout = "athena";
  } else {
    found.layout = "manifest";
  }
  found.manifest = std::move(manifest);
  return found;
}

Result<Delivery> Resolve(const Found& found, const fs::path& root) {
  const Manifest& m = found.manifest;
  if (m.keys.empty()) {
    return InvalidInput(m.path +
                        ": the manifest lists no data files (reportKeys); there is nothing to "
                        "ingest in this delivery");
  }
  Delivery delivery;
  delivery.manifest = m;
  fs::path dir = fs::path(m.path).parent_path();
  bool all_beside = true;
  for (const std::string& key : m.keys) {
    std::optional<std::string> file = ResolveKey(key, dir, root);
    if (!file) {
      return InvalidInput(m.path + ": the manifest lists '" + key + "', which is not under " +
                          root.string() +
                          "; copy the whole delivery (every file the manifest lists) and ingest "
                          "again");
    }
    if (fs::path(*file).parent_path() != dir.lexically_normal()) all_beside = false;
    delivery.files.push_back(*file);
  }
  delivery.layout = found.layout;
  if (found.layout == "legacy")
    delivery.layout = all_beside ? "legacy-overwrite" : "legacy-create-new";
  return delivery;
}

}  // namespace

bool LooksLikeBillingFile(const std::string& file_name) {
  for (std::string_view ext : {".csv", ".csv.gz", ".csv.zip", ".gz", ".zip", ".parquet"}) {
    if (EndsWith(file_name, ext)) return true;
  }
  return false;
}

Result<Manifest> ReadManifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": no such file");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidInput(path +
                        ": not a valid manifest (not a JSON object); copy the file again "
                        "from the bucket");
  }
  Manifest m;
  m.path = path;
  std::string name = fs::path(path).filename().string();
  m.report_name =
      StringOr(FirstOf(j, {"reportName", "exportName"}),
               name.substr(0, name.size() - std::min(name.size(), kManifestSuffix.size())));
  m.delivery_id = StringOr(FirstOf(j, {"assemblyId", "executionId"}));
  m.account = StringOr(FirstOf(j, {"account", "accountId"}));
  if (const nlohmann::json* bp = FirstOf(j, {"billingPeriod"}); bp != nullptr && bp->is_object()) {
    std::string start = StringOr(FirstOf(*bp, {"start"}));
    m.period = PeriodOfDate(start);
    if (!m.period) {
      return InvalidInput(path + ": billingPeriod.start '" + start +
                          "' is not a date (expected YYYYMMDDT000000.000Z)");
    }
  }
  if (const nlohmann::json* columns = FirstOf(j, {"columns"}); columns != nullptr) {
    if (!columns->is_array()) return InvalidInput(path + ": 'columns' is not a list");
    for (const nlohmann::json& c : *columns) {
      if (!c.is_object()) return InvalidInput(path + ": an entry of 'columns' is not an object");
      ManifestColumn column;
      std::string category = StringOr(FirstOf(c, {"category"}));
      std::string column_name = StringOr(FirstOf(c, {"name"}));
      if (column_name.empty()) return InvalidInput(path + ": a column in 'columns' has no name");
      column.name = category.empty() ? column_name : category + "/" + column_name;
      column.type = StringOr(FirstOf(c, {"type"}));
      m.columns.push_back(std::move(column));
    }
  }
  const nlohmann::json* keys = FirstOf(j, {"reportKeys", "dataFiles", "files"});
  if (keys == nullptr || !keys->is_array()) {
    return InvalidInput(path +
                        ": the manifest has no list of data files (reportKeys); is it a Cost "
                        "and Usage Report or Data Exports manifest?");
  }
  for (const nlohmann::json& k : *keys) {
    std::string key =
        k.is_string()
            ? k.get<std::string>()
            : (k.is_object() ? StringOr(FirstOf(k, {"key", "s3Key", "name"})) : std::string());
    if (key.empty()) return InvalidInput(path + ": an entry of reportKeys is not a file key");
    m.keys.push_back(std::move(key));
  }
  return m;
}

Result<std::vector<Delivery>> FindDeliveries(const std::string& path) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return NotFound(path + ": no such file or folder");
  if (fs::is_regular_file(status)) {
    if (IsManifestName(fs::path(path).filename().string())) {
      REBILL_ASSIGN_OR_RETURN(Manifest manifest, ReadManifest(path));
      Found found = Classify(std::move(manifest));
      REBILL_ASSIGN_OR_RETURN(Delivery delivery,
                              Resolve(found, fs::path(path).parent_path().root_path()));
      return std::vector<Delivery>{std::move(delivery)};
    }
    Delivery delivery;
    delivery.layout = "file";
    delivery.files.push_back(path);
    return std::vector<Delivery>{std::move(delivery)};
  }

  fs::path root = fs::path(path).lexically_normal();
  std::vector<std::string> manifests;
  std::vector<std::string> data_files;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    if (IsManifestName(name)) {
      manifests.push_back(it->path().string());
    } else if (LooksLikeBillingFile(name)) {
      data_files.push_back(it->path().string());
    }
  }
  if (ec) return IoError(path + ": cannot list the folder: " + ec.message());
  std::sort(manifests.begin(), manifests.end());
  std::sort(data_files.begin(), data_files.end());

  std::vector<Delivery> deliveries;
  if (manifests.empty()) {
    for (const std::string& file : data_files) {
      Delivery delivery;
      delivery.layout = "file";
      delivery.files.push_back(file);
      deliveries.push_back(std::move(delivery));
    }
    if (deliveries.empty()) {
      return InvalidInput(path +
                          ": the folder holds no billing files (*.csv, *.csv.gz, *.csv.zip, "
                          "*.parquet) and no <report>-Manifest.json");
    }
    return deliveries;
  }

  // One report, period and owner: the newest delivery is the pointer manifest one level above
  // the assemblies (or the Data Exports metadata manifest); assembly copies are history.
  std::map<std::string, std::vector<Found>> groups;
  for (const std::string& file : manifests) {
    REBILL_ASSIGN_OR_RETURN(Manifest manifest, ReadManifest(file));
    std::string period = manifest.period ? manifest.period->ToString() : std::string();
    Found found = Classify(std::move(manifest));
    if (period.empty() && found.manifest.period) period = found.manifest.period->ToString();
    if (period.empty()) {
      return InvalidInput(file +
                          ": the manifest has no billingPeriod and its folder does not "
                          "name one; copy the delivery with its folders");
    }
    groups[found.manifest.account + "|" + found.manifest.report_name + "|" + period].push_back(
        std::move(found));
  }
  for (auto& [key, found] : groups) {
    std::vector<const Found*> pointers;
    std::set<std::string> copy_ids;
    for (const Found& f : found) {
      if (f.place == ManifestPlace::kPointer) {
        pointers.push_back(&f);
      } else {
        copy_ids.insert(f.manifest.delivery_id);
      }
    }
    const Found* chosen = nullptr;
    if (!pointers.empty()) {
      chosen = pointers.front();
      for (const Found* p : pointers) {
        if (p->manifest.delivery_id != chosen->manifest.delivery_id) {
          return InvalidInput(chosen->manifest.path + " and " + p->manifest.path +
                              " both claim to be the newest delivery of report '" +
                              chosen->manifest.report_name +
                              "' for the same period; ingest one folder at a time");
        }
      }
    } else if (copy_ids.size() == 1) {
      chosen = &found.front();
    } else {
      std::string dir = fs::path(found.front().manifest.path).parent_path().parent_path().string();
      std::string ids;
      for (const std::string& id : copy_ids) ids += (ids.empty() ? "" : ", ") + id;
      return InvalidInput(dir + ": " + std::to_string(copy_ids.size()) + " deliveries (" + ids +
                          ") and no " + found.front().manifest.report_name +
                          "-Manifest.json in the period folder to tell which is the newest; "
                          "copy that manifest from the bucket too");
    }
    REBILL_ASSIGN_OR_RETURN(Delivery delivery, Resolve(*chosen, root));
    for (const Found& f : found) {
      if (f.manifest.delivery_id != chosen->manifest.delivery_id) {
        delivery.superseded.push_back(f.manifest.path);
      }
    }
    deliveries.push_back(std::move(delivery));
  }
  return deliveries;
}

}  // namespace rebill::ingest
