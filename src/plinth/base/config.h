// Layered configuration: a YAML file, then PLINTH_* environment variables, then flags.
//
// Keys are flat snake_case names ("data_dir", "listen"). The environment variable for a key
// is PLINTH_ + the key upper-cased (PLINTH_DATA_DIR). Later layers override earlier ones.
// Thread-safety: not thread-safe; build it once at start-up, then only read.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plinth/base/status.h"

namespace plinth {

class Config {
 public:
  // `known_keys` lists every accepted key; anything else in the YAML file is an error.
  explicit Config(std::vector<std::string> known_keys) : known_keys_(std::move(known_keys)) {}

  // Loads a YAML mapping of scalars. Missing file is NotFound; bad YAML is InvalidArgument.
  absl::Status LoadYamlFile(const std::string& path);
  absl::Status LoadYamlString(const std::string& text, const std::string& origin);
  // Reads PLINTH_<KEY> for every known key from `environ`-style "K=V" entries.
  void LoadEnvironment(char** envp);
  void Set(const std::string& key, const std::string& value);

  std::optional<std::string> Get(const std::string& key) const;
  std::string GetOr(const std::string& key, const std::string& fallback) const;
  absl::StatusOr<int64_t> GetInt(const std::string& key, int64_t fallback) const;
  // Where the current value of `key` came from ("plinth.yaml", "env PLINTH_X", "flag", "default").
  std::string Origin(const std::string& key) const;

 private:
  bool Known(const std::string& key) const;
  std::vector<std::string> known_keys_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> origins_;
};

}  // namespace plinth
