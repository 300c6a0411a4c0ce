// The metadata schema as an ordered list of migrations, applied once each at start-up.
//
// Migration N is applied only when the stored schema version is N-1, inside one write
// transaction together with the version bump, so a crash mid-way leaves the old version.
// Dialect tokens in the SQL: {{ID}} becomes the auto-increment primary key column type.
// Never edit a migration that has shipped; add a new one.
#pragma once

#include <string_view>
#include <vector>

namespace plinth::storage {

struct Migration {
  int version;
  std::string_view description;
  std::vector<std::string_view> statements;
};

const std::vector<Migration>& MetaMigrations();

}  // namespace plinth::storage
