#include "plinth/base/config.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <yaml-cpp/yaml.h>


namespace plinth {

bool Config::Known(const std::string& key) const {
  return std::find(known_keys_.begin(), known_keys_.end(), key) != known_keys_.end();
}

absl::Status Config::LoadYamlFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return absl::NotFoundError(StrCat("config file not found: ", path));
  try {
    YAML::Node root = YAML::LoadFile(path);
    return LoadYamlString(YAML::Dump(root), path);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(StrCat("cannot read config ", path, ": ", e.what()));
  }
}

absl::Status Config::LoadYamlString(const std::string& text, const std::string& origin) {
  try {
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return absl::OkStatus();
    if (!root.IsMap()) return absl::InvalidArgumentError(StrCat(origin, ": top level must be a mapping"));
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      if (!Known(key)) return absl::InvalidArgumentError(StrCat(origin, ": unknown key '", key, "'"));
      if (!kv.second.IsScalar()) return absl::InvalidArgumentError(StrCat(origin, ": '", key, "' must be a scalar"));
      values_[key] = kv.second.as<std::string>();
      origins_[key] = origin;
    }
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(StrCat("invalid YAML in ", origin, ": ", e.what()));
  }
  return absl::OkStatus();
}

void Config::LoadEnvironment(char** envp) {
  for (char** e = envp; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.rfind("PLINTH_", 0) != 0) continue;
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = ToLower(entry.substr(7, eq - 7));
    if (!Known(key)) continue;  // PLINTH_SERVER and PLINTH_TOKEN belong to the client
    values_[key] = std::string(entry.substr(eq + 1));
    origins_[key] = StrCat("env PLINTH_", ToUpper(key));
  }
}

void Config::Set(const std::string& key, const std::string& value) {
  values_[key] = value;
  origins_[key] = "flag";
}

std::optional<std::string> Config::Get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Config::GetOr(const std::string& key, const std::string& fallback) const {
  auto v = Get(key);
  return v ? *v : fallback;
}

absl::StatusOr<int64_t> Config::GetInt(const std::string& key, int64_t fallback) const {
  auto v = Get(key);
  if (!v) return fallback;
  std::optional<int64_t> parsed = ParseInt64(*v);
  if (!parsed) {
    return absl::InvalidArgumentError(StrCat("config '", key, "' (", Origin(key), ") must be an integer, got '", *v, "'"));
  }
  return *parsed;
}

std::string Config::Origin(const std::string& key) const {
  auto it = origins_.find(key);
  return it == origins_.end() ? "default" : it->second;
}

}  // namespace plinth
