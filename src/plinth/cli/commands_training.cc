// `plinth features training-set`, `plinth features parity` and `plinth features datasets
// list|show`: local commands on
// the data directory (like `plinth tokens`). They read the live definitions from the
// MetaStore and the lake directly, and register datasets locally; they never open the online
// store, so they run safely beside a server on the same data directory (SQLite and Delta
// tables are safe to share between processes).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "plinth/base/malloc_tuning.h"
#include "plinth/base/names.h"
#include "plinth/cli/cli_context.h"
#include "plinth/cli/commands.h"
#include "plinth/cli/server_flags.h"
#include "plinth/features/catalog.h"
#include "plinth/features/dataset_store.h"
#include "plinth/features/feature_registry.h"
#include "plinth/features/parity.h"
#include "plinth/features/training_set.h"
#include "plinth/server/datasets_api.h"
#include "plinth/server/server_app.h"

namespace plinth::cli {

namespace {

// A progress bar redrawn in place on stderr: "scan user_stats [#####.....]  52%  5.2M/10.0M".
class ProgressBar {
 public:
  ~ProgressBar() { Done(); }
  void Update(int64_t done, int64_t total, std::string_view stage) {
    std::string line = StrCat(stage);
    line.resize(std::max<size_t>(line.size(), 24), ' ');
    if (total > 0) {
      const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
      const int width = 30, filled = static_cast<int>(frac * width);
      line += " [" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
      line += StrCat(static_cast<int>(frac * 100), "%  ", Count(done), "/", Count(total));
    } else if (done > 0) {
      line += StrCat(" ", Count(done));
    }
    if (line.size() < last_width_) line.resize(last_width_, ' ');
    last_width_ = line.size();
    std::fprintf(stderr, "\r%s", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
  void Done() {
    if (drawn_) std::fprintf(stderr, "\r%s\r", std::string(last_width_, ' ').c_str());
    drawn_ = false;
  }

 private:
  static std::string Count(int64_t n) {
    char buf[32];
    if (n >= 1000000) std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
    else if (n >= 1000) std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
    else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
    return buf;
  }
  size_t last_width_ = 0;
  bool drawn_ = false;
};

// A valid dataset name from a directory name: lower case, other characters as '-'.
std::string NameFromPath(const std::filesystem::path& out) {
  std::string base = out.filename().string();
  if (base.empty()) base = out.parent_path().filename().string();
  std::string name;
  for (char c : base) {
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    name += (std::isalnum(static_cast<unsigned char>(l)) || l == '.' || l == '-' || l == '_') ? (l == '_' ? '-' : l) : '-';
  }
  while (!name.empty() && !std::isalnum(static_cast<unsigned char>(name[0]))) name.erase(0, 1);
  return name.substr(0, 128);
}

struct LocalFeatures {
  server::Stores stores;
  std::unique_ptr<features::FeatureRegistry> registry;
};

absl::StatusOr<LocalFeatures> OpenLocal(const ServerFlags& flags) {
  PLINTH_ASSIGN_OR_RETURN(server::ServerConfig config, LoadConfig(flags));
  LocalFeatures out;
  PLINTH_ASSIGN_OR_RETURN(out.stores, server::OpenStores(config));
  const std::string lake_root = (std::filesystem::path(config.data_dir) / "lake").string();
  PLINTH_ASSIGN_OR_RETURN(out.registry, features::FeatureRegistry::Create({.meta = out.stores.meta.get(), .lake_root = lake_root}));
  return out;
}

const std::vector<std::pair<std::string, std::string>> kDatasetColumns = {
    {"NAME", "/name"}, {"VERSION", "/version"}, {"ROWS", "/row_count"}, {"TABLE", "/table_path"},
    {"TABLE VERSION", "/table_version"}, {"CREATED", "/created_at"}, {"BY", "/created_by"}};

}  // namespace

void AddFeaturesLocalCommands(CLI::App* group, ClientOptions* opts) {
  // training-set
  {
    auto* cmd = group->add_subcommand("training-set", "Build a point-in-time correct training set (local, on the data directory)");
    struct Args {
      std::string service, labels, out, name, label_ts = "event_timestamp", budget = "1GiB", spill_dir;
      int threads = 0;
    };
    auto a = std::make_shared<Args>();
    auto flags = std::make_shared<ServerFlags>();
    AddServerFlags(cmd, flags.get(), false);
    cmd->add_option("--service,-s", a->service, "Feature service")->required();
    cmd->add_option("--labels,-l", a->labels, "Label table: Delta table directory, .parquet, .csv or .jsonl")->required();
    cmd->add_option("--out", a->out, "Output Delta table directory (must not exist)")->required();
    cmd->add_option("--name", a->name, "Dataset name (default: the output directory's name)");
    cmd->add_option("--label-timestamp", a->label_ts, "Label timestamp column (default event_timestamp)");
    cmd->add_option("--memory-budget", a->budget, "Memory for the join (label slots or stored keys and times, and the output columns): past it the labels are joined in chunks and rows spill (default 1GiB)");
    cmd->add_option("--spill-dir", a->spill_dir, "Where spill files go (default: next to the output)");
    cmd->add_option("--threads", a->threads, "Threads (default: one per core)");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(int64_t budget, server::ParseByteSize(a->budget));
      std::error_code ec;
      const std::filesystem::path out = std::filesystem::absolute(a->out, ec);
      const std::string name = a->name.empty() ? NameFromPath(out) : a->name;
      PLINTH_RETURN_IF_ERROR(ValidateName("dataset name", name));
      if (std::filesystem::exists(out, ec)) {
        return absl::AlreadyExistsError(StrCat("output ", out.string(), " already exists: choose a new path"));
      }
      PLINTH_ASSIGN_OR_RETURN(LocalFeatures local, OpenLocal(*flags));
      PLINTH_ASSIGN_OR_RETURN(auto catalog, features::Catalog::Build(*local.registry));
      PLINTH_ASSIGN_OR_RETURN(const features::ServicePlan* service, catalog->FindService(a->service));
      features::TrainingSetOptions options;
      options.labels = a->labels;
      options.label_timestamp_column = a->label_ts;
      options.output = out.string();
      options.memory_budget_bytes = budget;
      options.spill_dir = a->spill_dir;
      options.threads = a->threads > 0 ? a->threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      auto bar = std::make_shared<ProgressBar>();
      if (::isatty(STDERR_FILENO)) {
        options.progress = [bar](int64_t done, int64_t total, std::string_view stage) { bar->Update(done, total, stage); };
      }
      TuneMallocForBatchWork();
      auto built = features::BuildTrainingSet(*service, options);
      bar->Done();
      if (!built.ok()) return built.status();
      PLINTH_ASSIGN_OR_RETURN(auto datasets, features::DatasetStore::Create({.meta = local.stores.meta.get()}));
      PLINTH_ASSIGN_OR_RETURN(features::Dataset dataset,
                              datasets->Register({name, built->table_path, built->table_version, built->rows, built->lineage.ToJson()},
                                                 {LocalActor(), "local"}));
      if (opts->output == "json") {
        Json j = built->ToJson();
        j["dataset"] = {{"name", dataset.name}, {"version", dataset.version}};
        PrintJson(j);
      } else {
        std::cout << "training set " << built->table_path << ": " << built->rows << " rows, dataset " << dataset.name
                  << " version " << dataset.version << std::endl;
      }
      return absl::OkStatus();
    });
  }

  // parity
  {
    auto* cmd = group->add_subcommand("parity", "Replay sample rows through the offline and online paths and report every mismatch (local)");
    struct Args {
      std::string service, labels, label_ts = "event_timestamp";
      int64_t sample = 1000;
      uint64_t seed = 1;
    };
    auto a = std::make_shared<Args>();
    auto flags = std::make_shared<ServerFlags>();
    AddServerFlags(cmd, flags.get(), false);
    cmd->add_option("--service,-s", a->service, "Feature service")->required();
    cmd->add_option("--sample,-n", a->sample, "Rows to replay (default 1000)");
    cmd->add_option("--labels,-l", a->labels, "Sample from this label table (needed for request values and multi-entity services)");
    cmd->add_option("--label-timestamp", a->label_ts, "Label timestamp column (default event_timestamp)");
    cmd->add_option("--seed", a->seed, "Sampling seed (default 1)");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(LocalFeatures local, OpenLocal(*flags));
      PLINTH_ASSIGN_OR_RETURN(auto catalog, features::Catalog::Build(*local.registry));
      PLINTH_ASSIGN_OR_RETURN(const features::ServicePlan* service, catalog->FindService(a->service));
      features::ParityOptions options;
      options.labels = a->labels;
      options.label_timestamp_column = a->label_ts;
      options.sample = a->sample;
      options.seed = a->seed;
      PLINTH_ASSIGN_OR_RETURN(features::ParityResult result, features::CheckParity(*service, options));
      if (opts->output == "json") {
        PrintJson(result.ToJson());
      } else {
        const Json report = result.ToJson();  // (iterating a member of the temporary read freed memory)
        for (const auto& m : report.at("mismatches")) {
          std::cout << "mismatch: sample " << m["sample"] << " entity " << DumpJson(m["entity"]) << " at " << m["at"].get<std::string>()
                    << " " << m["feature"].get<std::string>() << ": offline " << DumpJson(m["offline"]) << ", online "
                    << DumpJson(m["online"]) << "\n";
        }
        std::cout << "parity " << a->service << ": " << result.samples << " samples, " << result.values_compared
                  << " values compared, " << result.mismatches.size() << " mismatches" << std::endl;
      }
      if (!result.mismatches.empty()) {
        return absl::FailedPreconditionError(StrCat(result.mismatches.size(), " values differ between the offline and online paths"));
      }
      return absl::OkStatus();
    });
  }

  // datasets list / show
  {
    auto* datasets = group->add_subcommand("datasets", "Registered datasets (local, on the data directory)");
    datasets->require_subcommand(1);
    datasets->fallthrough();
    auto flags = std::make_shared<ServerFlags>();
    AddServerFlags(datasets, flags.get(), false);
    auto* list = datasets->add_subcommand("list", "The latest version of every dataset, or every version of one");
    auto list_name = std::make_shared<std::string>();
    list->add_option("--name", *list_name, "Every version of this dataset, newest first");
    Do(list, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(LocalFeatures local, OpenLocal(*flags));
      PLINTH_ASSIGN_OR_RETURN(auto store, features::DatasetStore::Create({.meta = local.stores.meta.get()}));
      PLINTH_ASSIGN_OR_RETURN(auto all, store->List(list_name->empty() ? std::nullopt : std::optional<std::string>(*list_name)));
      std::vector<Json> rows;
      for (const auto& d : all) rows.push_back(d.ToJson());
      if (opts->output == "json") PrintJson(Json{{"datasets", rows}});
      else PrintTable(rows, kDatasetColumns);
      return absl::OkStatus();
    });
    auto* show = datasets->add_subcommand(
        "show", "A dataset version with its lineage and the model versions trained on it (JSON)");
    auto show_name = std::make_shared<std::string>();
    auto version = std::make_shared<int64_t>(0);
    show->add_option("name", *show_name, "Dataset name")->required();
    show->add_option("--version,-v", *version, "Version (default latest)");
    Do(show, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(LocalFeatures local, OpenLocal(*flags));
      PLINTH_ASSIGN_OR_RETURN(auto store, features::DatasetStore::Create({.meta = local.stores.meta.get()}));
      PLINTH_ASSIGN_OR_RETURN(features::Dataset d,
                              store->Get(*show_name, *version > 0 ? std::optional<int64_t>(*version) : std::nullopt));
      registry::Registry::Options registry_options;
      registry_options.meta = local.stores.meta.get();
      registry_options.objects = local.stores.objects.get();
      PLINTH_ASSIGN_OR_RETURN(auto models, registry::Registry::Create(std::move(registry_options)));
      PLINTH_ASSIGN_OR_RETURN(Json body, server::DatasetJson(d, *models));
      PrintJson(body);
      return absl::OkStatus();
    });
  }
}

}  // namespace plinth::cli
