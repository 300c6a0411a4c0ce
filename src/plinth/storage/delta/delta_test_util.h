// Test-only helpers for the Delta log tests: a JSON-backed fake CheckpointIO that records the
// paths it is asked for, and small builders. Header-only; never linked into a library.
// Thread-safety: FakeCheckpointIO is safe for concurrent use.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "plinth/storage/delta/actions.h"
#include "plinth/storage/delta/checkpoint_io.h"
#include "plinth/storage/delta/log_files.h"

namespace plinth::delta::testing {

inline absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(StrCat("cannot open ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Stores checkpoints as newline-delimited JSON actions under whatever name it is given. For the
// shared test tables, whose checkpoints are real Parquet, a `stand_in` callback may produce the
// actions instead (e.g. by replaying the table's JSON commits up to the checkpoint version).
class FakeCheckpointIO : public CheckpointIO {
 public:
  using StandIn = std::function<absl::StatusOr<std::vector<Action>>(const std::string& path)>;
  explicit FakeCheckpointIO(StandIn stand_in = nullptr) : stand_in_(std::move(stand_in)) {}

  absl::StatusOr<std::vector<Action>> Read(const std::vector<std::string>& paths) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back(paths);
    }
    std::vector<Action> out;
    for (const std::string& p : paths) {
      absl::StatusOr<std::vector<Action>> actions;
      if (stand_in_) {
        actions = stand_in_(p);
      } else {
        PLINTH_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(p));
        actions = ParseCommit(bytes, p);
      }
      if (!actions.ok()) return actions.status();
      for (Action& a : *actions) out.push_back(std::move(a));
    }
    return out;
  }

  absl::Status Write(const std::string& path, const std::vector<Action>& actions) override {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << SerializeCommit(actions);
    out.close();
    if (!out) return absl::InternalError(StrCat("cannot write ", path));
    return absl::OkStatus();
  }

  std::vector<std::vector<std::string>> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  StandIn stand_in_;
  mutable std::mutex mu_;
  std::vector<std::vector<std::string>> calls_;
};

// The state a checkpoint at `version` would hold, computed independently of Snapshot by
// reconciling the JSON commits 0..version in `log_dir` (protocol, metaData, txn, live adds).
inline absl::StatusOr<std::vector<Action>> ReconcileJsonCommits(const std::string& log_dir, int64_t version) {
  std::optional<Action> protocol, metadata;
  std::map<std::string, Action> files;
  std::map<std::string, SetTransaction> txns;
  for (int64_t v = 0; v <= version; ++v) {
    PLINTH_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(StrCat(log_dir, "/", CommitFileName(v))));
    PLINTH_ASSIGN_OR_RETURN(std::vector<Action> actions, ParseCommit(bytes, CommitFileName(v)));
    for (Action& a : actions) {
      if (std::holds_alternative<Protocol>(a)) protocol = a;
      if (std::holds_alternative<Metadata>(a)) metadata = a;
      if (auto* t = std::get_if<SetTransaction>(&a)) txns[t->app_id] = *t;
      if (auto* add = std::get_if<AddFile>(&a)) files[add->ReplayKey()] = a;
      if (auto* rm = std::get_if<RemoveFile>(&a)) files.erase(rm->ReplayKey());
    }
  }
  std::vector<Action> out;
  if (protocol) out.push_back(*protocol);
  if (metadata) out.push_back(*metadata);
  for (auto& [id, t] : txns) out.push_back(t);
  for (auto& [key, a] : files) out.push_back(a);
  return out;
}

inline std::string SimpleSchemaString() {
  return R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},)"
         R"({"name":"part","type":"string","nullable":true,"metadata":{}}]})";
}

inline Metadata TestMetadata(std::vector<std::string> partition_columns = {}) {
  Metadata m;
  m.id = "test-table";
  m.schema_string = SimpleSchemaString();
  m.partition_columns = std::move(partition_columns);
  m.created_time = 1'700'000'000'000;
  return m;
}

inline AddFile TestAdd(std::string path, PartitionValues pv = {}) {
  AddFile a;
  a.path = std::move(path);
  a.partition_values = std::move(pv);
  a.size = 100;
  a.modification_time = 1'700'000'000'000;
  a.data_change = true;
  return a;
}

// The golden table `name` under a testdata root (some tables nest it in a `delta/` folder).
inline std::string GoldenRoot(const std::string& root, const std::string& name) {
  std::string nested = StrCat(root, "/delta/", name, "/delta");
  return std::filesystem::is_directory(nested + "/_delta_log") ? nested : StrCat(root, "/delta/", name);
}

}  // namespace plinth::delta::testing
