// `plinth table ...`: Delta Lake tables on the local filesystem (create, append, delete, scan,
// history, show, add-columns, checkpoint, vacuum).
#include <cstdio>
#include <memory>

#include "plinth/base/json.h"
#include "plinth/base/strings.h"
#include "plinth/base/time.h"
#include "plinth/cli/batch_input.h"
#include "plinth/cli/cli_context.h"
#include "plinth/cli/commands.h"
#include "plinth/server/server_config.h"
#include "plinth/storage/columnar/text_io.h"
#include "plinth/storage/delta/stats.h"
#include "plinth/storage/delta/table.h"
#include "plinth/storage/delta/type_mapping.h"

namespace plinth::cli {

namespace {

using delta::DeltaTable;

absl::StatusOr<std::unique_ptr<DeltaTable>> OpenTable(const std::string& path) {
  delta::TableOptions o;
  o.root = path;
  return DeltaTable::Open(o);
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  for (auto part : StrSplit(s, ',', /*skip_empty=*/true)) {
    std::string p(part);
    while (!p.empty() && p.front() == ' ') p.erase(p.begin());
    while (!p.empty() && p.back() == ' ') p.pop_back();
    if (!p.empty()) out.push_back(p);
  }
  return out;
}

void PrintLine(const std::string& s) { std::printf("%s\n", s.c_str()); }

}  // namespace

void AddTableCommands(CLI::App& app) {
  auto* table = app.add_subcommand("table", "Delta Lake tables: create, append, delete, scan, history, vacuum");
  table->require_subcommand(1);

  {
    auto* cmd = table->add_subcommand("create", "Create a Delta table");
    auto path = std::make_shared<std::string>();
    auto schema = std::make_shared<std::string>();
    auto partition = std::make_shared<std::string>();
    auto props = std::make_shared<std::vector<std::string>>();
    cmd->add_option("path", *path, "Table directory")->required();
    cmd->add_option("--schema", *schema, "Columns, e.g. \"id int64 not null, name string, ts timestamp\"")->required();
    cmd->add_option("--partition-by", *partition, "Comma-separated partition columns");
    cmd->add_option("--property", *props, "Table property KEY=VALUE (e.g. delta.checkpointInterval=10); repeatable");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(columnar::Schema s, columnar::Schema::Parse(*schema));
      std::map<std::string, std::string> config;
      for (const auto& kv : *props) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) return absl::InvalidArgumentError(StrCat("--property '", kv, "' is not KEY=VALUE"));
        config[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
      delta::TableOptions o;
      o.root = *path;
      PLINTH_ASSIGN_OR_RETURN(auto t, DeltaTable::Create(o, s, SplitList(*partition), config));
      PrintLine(StrCat("created table ", t->root(), " (version 0)"));
      return absl::OkStatus();
    });
  }

  {
    auto* cmd = table->add_subcommand("append", "Append rows from a CSV, JSON lines or Parquet file");
    auto path = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    auto fmt = std::make_shared<std::string>();
    auto mode = std::make_shared<std::string>("append");
    auto app_id = std::make_shared<std::string>();
    auto app_version = std::make_shared<int64_t>(-1);
    auto merge = std::make_shared<bool>(false);
    cmd->add_option("path", *path, "Table directory")->required();
    cmd->add_option("file", *file, "Input file (.csv, .jsonl or .parquet)")->required();
    cmd->add_option("--input-format", *fmt, "csv, jsonl or parquet (default: by extension)");
    cmd->add_option("--mode", *mode, "append (default) or overwrite (replace every row)");
    cmd->add_option("--app-id", *app_id, "Application id of an idempotent write (with --app-version)");
    cmd->add_option("--app-version", *app_version, "Version of this write for --app-id: a retry commits at most once");
    cmd->add_flag("--merge-schema", *merge, "Add the input's extra columns to the table (Parquet input)");
    Do(cmd, [=]() -> absl::Status {
      if (*mode != "append" && *mode != "overwrite") {
        return absl::InvalidArgumentError(StrCat("--mode must be append or overwrite, not '", *mode, "'"));
      }
      if (app_id->empty() != (*app_version < 0)) {
        return absl::InvalidArgumentError("--app-id and --app-version go together (version >= 0)");
      }
      PLINTH_ASSIGN_OR_RETURN(auto t, OpenTable(*path));
      PLINTH_ASSIGN_OR_RETURN(auto snap, t->LatestSnapshot());
      columnar::Schema schema = DeltaTable::ColumnarSchema(*snap);
      delta::WriteOptions wo;
      wo.overwrite = *mode == "overwrite";
      if (!app_id->empty()) wo.app_transaction = std::make_pair(*app_id, *app_version);
      if (*merge) {
        PLINTH_ASSIGN_OR_RETURN(std::string f, InputFormatOf(*file, *fmt));
        if (f != "parquet") return absl::InvalidArgumentError("--merge-schema needs Parquet input (column types); use `plinth table add-columns` for CSV/JSON");
        PLINTH_ASSIGN_OR_RETURN(columnar::Schema in, ParquetInputSchema(*file));
        std::vector<columnar::Field> fields = schema.fields();
        for (const auto& f2 : in.fields()) {
          if (!schema.IndexOf(f2.name)) fields.push_back({f2.name, f2.type, true});
        }
        schema = columnar::Schema(fields);
        wo.schema = schema;
      }
      auto sp = std::make_shared<const columnar::Schema>(schema);
      PLINTH_ASSIGN_OR_RETURN(auto input, InputReader::Open(*file, *fmt, sp));
      PLINTH_ASSIGN_OR_RETURN(auto result, t->Write([&](columnar::RecordBatch* out) { return input->Next(out); }, wo));
      if (result.already_committed) {
        PrintLine(StrCat("already committed: ", *app_id, " version ", *app_version, " is in table version ", result.version,
                         "; nothing written"));
      } else {
        PrintLine(StrCat("committed version ", result.version, ": ", result.rows, " rows in ", result.files, " file(s), ",
                         result.bytes, " bytes"));
      }
      return absl::OkStatus();
    });
  }

  {
    auto* cmd = table->add_subcommand("delete", "Delete the rows matching a filter");
    auto path = std::make_shared<std::string>();
    auto where = std::make_shared<std::string>();
    cmd->add_option("path", *path, "Table directory")->required();
    cmd->add_option("--where", *where, "Rows to delete, e.g. \"ts < '2024-01-01'\"")->required();
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto t, OpenTable(*path));
      PLINTH_ASSIGN_OR_RETURN(auto r, t->Delete(*where));
      if (r.version < 0) PrintLine("no rows matched; nothing committed");
      else PrintLine(StrCat("committed version ", r.version, ": deleted ", r.rows_deleted, " rows (", r.files_removed,
                            " file(s) removed, ", r.files_added, " rewritten)"));
      return absl::OkStatus();
    });
  }

  {
    auto* cmd = table->add_subcommand("scan", "Print the rows of a table (any version)");
    auto path = std::make_shared<std::string>();
    auto version = std::make_shared<int64_t>(-1);
    auto as_of = std::make_shared<std::string>();
    auto columns = std::make_shared<std::string>();
    auto where = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("jsonl");
    auto limit = std::make_shared<int64_t>(-1);
    auto stats = std::make_shared<bool>(false);
    cmd->add_option("path", *path, "Table directory")->required();
    cmd->add_flag("--stats", *stats, "Print scan statistics (version, files read and skipped, rows) as JSON on stderr");
    auto* vopt = cmd->add_option("--version", *version, "Read this version");
    cmd->add_option("--as-of", *as_of, "Read the version current at this time (ISO-8601)")->excludes(vopt);
    cmd->add_option("--columns", *columns, "Comma-separated columns (default all)");
    cmd->add_option("--where", *where, "Row filter");
    cmd->add_option("--format", *format, "jsonl (default), csv or table");
    cmd->add_option("--limit", *limit, "Print at most this many rows");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(columnar::PrintFormat pf, columnar::ParsePrintFormat(*format));
      PLINTH_ASSIGN_OR_RETURN(auto t, OpenTable(*path));
      std::unique_ptr<delta::Snapshot> snap;
      if (*version >= 0) {
        PLINTH_ASSIGN_OR_RETURN(snap, t->SnapshotAt(*version));
      } else if (!as_of->empty()) {
        PLINTH_ASSIGN_OR_RETURN(int64_t ts, ParseTimestamp(*as_of));
        PLINTH_ASSIGN_OR_RETURN(snap, t->SnapshotAsOf(ts));
      } else {
        PLINTH_ASSIGN_OR_RETURN(snap, t->LatestSnapshot());
      }
      delta::ScanSpec spec;
      spec.columns = SplitList(*columns);
      spec.where = *where;
      PLINTH_ASSIGN_OR_RETURN(auto scan, t->Scan(*snap, spec));
      columnar::BatchPrinter printer(stdout, pf, *scan->output_schema());
      columnar::RecordBatch b;
      int64_t left = *limit;
      while (left != 0) {
        PLINTH_ASSIGN_OR_RETURN(bool more, scan->Next(&b));
        if (!more) break;
        if (left > 0 && b.num_rows > left) {
          std::vector<uint8_t> sel(b.num_rows, 0);
          std::fill(sel.begin(), sel.begin() + left, 1);
          b = b.Filter(sel);
        }
        printer.Print(b);
        if (left > 0) left -= b.num_rows;
      }
      printer.Finish();
      if (*stats) {
        int64_t snapshot_rows = 0;
        for (const auto& f : snap->files()) {
          auto st = f.stats ? delta::FileStats::Parse(*f.stats) : absl::StatusOr<delta::FileStats>(absl::NotFoundError(""));
          if (st.ok() && st->num_records) snapshot_rows += *st->num_records;
        }
        const auto& s = scan->stats();
        Json j = {{"version", snap->version()}, {"files", s.files_total}, {"files_skipped", s.files_skipped},
                  {"row_groups_skipped", s.row_groups_skipped}, {"rows_read", s.rows_read},
                  {"rows_printed", printer.rows_printed()}, {"snapshot_num_records", snapshot_rows}};
        std::fprintf(stderr, "%s\n", DumpJson(j).c_str());
      }
      return absl::OkStatus();
    });
  }

  {
    auto* cmd = table->add_subcommand("history", "Commits of a table, newest first");
    auto path = std::make_shared<std::string>();
    auto limit = std::make_shared<int>(0);
    auto format = std::make_shared<std::string>("table");
    cmd->add_option("path", *path, "Table directory")->required();
    cmd->add_option("--limit", *limit, "At most this many commits");
    cmd->add_option("--format", *format, "table (default) or jsonl");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto t, OpenTable(*path));
      PLINTH_ASSIGN_OR_RETURN(auto entries, t->History(*limit));
      if (*format == "jsonl" || *format == "json") {
        for (const auto& e : entries) PrintLine(DumpJson(e));
        return absl::OkStatus();
      }
      if (*format != "table") return absl::InvalidArgumentError("--format must be table or jsonl");
      std::vector<Json> rows;
      for (const auto& e : entries) {
        Json r = e;
        r["parameters"] = e.contains("operationParameters") ? DumpJson(e["operationParameters"]) : "";
        r["metrics"] = e.contains("operationMetrics") ? DumpJson(e["operationMetrics"]) : "";
        rows.push_back(r);
      }
      PrintTable(rows, {{"VERSION", "/version"}, {"TIMESTAMP", "/timestamp"}, {"OPERATION", "/operation"},
                        {"PARAMETERS", "/parameters"}, {"METRICS", "/metrics"}});
      return absl::OkStatus();
    });
  }

  {
    auto* cmd = table->add_subcommand("show", "Version, schema, partitioning, files and size of a table");
    auto path = std::make_shared<std::string>();
    auto version = std::make_shared<int64_t>(-1);
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("path", *path, "Table directory")->required();
    cmd->add_option("--version", *version, "Describe this version");
    cmd->add_flag("--json", *as_json, "Print as JSON");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto t, OpenTable(*path));
      std::unique_ptr<delta::Snapshot> snap;
      if (*version >= 0) {
        PLINTH_ASSIGN_OR_RETURN(snap, t->SnapshotAt(*version));
      } else {
        PLINTH_ASSIGN_OR_RETURN(snap, t->LatestSnapshot());
      }
      int64_t bytes = 0, records = 0;
      bool records_known = true;
      for (const auto& f : snap->files()) {
        bytes += f.size;
        auto st = f.stats ? delta::FileStats::Parse(*f.stats) : absl::StatusOr<delta::FileStats>(absl::NotFoundError(""));
        if (st.ok() && st->num_records) records += *st->num_records;
        else records_known = false;
      }
      Json out = {{"path", t->root()},
                  {"version", snap->version()},
                  {"timestamp", FormatTimestamp(snap->timestamp_micros())},
                  {"id", snap->metadata().id},
                  {"schema", DeltaTable::ColumnarSchema(*snap).ToString()},
                  {"partition_columns", snap->partition_columns()},
                  {"files", snap->files().size()},
                  {"bytes", bytes},
                  {"rows", records_known ? Json(records) : Json(nullptr)},
                  {"protocol", {{"min_reader_version", snap->protocol().min_reader_version},
                                {"min_writer_version", snap->protocol().min_writer_version}}},
                  {"properties", snap->metadata().configuration}};
      if (*as_json) PrintJson(out);
      else PrintObject(out);
      return absl::OkStatus();
    });
  }

  {
    auto* cmd = table->add_subcommand("add-columns", "Add nullable columns (schema evolution)");
    auto path = std::make_shared<std::string>();
    auto cols = std::make_shared<std::string>();
    cmd->add_option("path", *path, "Table directory")->required();
    cmd->add_option("columns", *cols, "New columns, e.g. \"country string, score double\"")->required();
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(columnar::Schema s, columnar::Schema::Parse(*cols));
      PLINTH_ASSIGN_OR_RETURN(auto t, OpenTable(*path));
      PLINTH_ASSIGN_OR_RETURN(int64_t v, t->AddColumns(s));
      PrintLine(StrCat("committed version ", v, ": added ", s.size(), " column(s)"));
      return absl::OkStatus();
    });
  }

  {
    auto* cmd = table->add_subcommand("checkpoint", "Write a checkpoint of the latest version");
    auto path = std::make_shared<std::string>();
    cmd->add_option("path", *path, "Table directory")->required();
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(auto t, OpenTable(*path));
      PLINTH_ASSIGN_OR_RETURN(int64_t v, t->Checkpoint());
      PrintLine(StrCat("wrote checkpoint at version ", v));
      return absl::OkStatus();
    });
  }

  {
    auto* cmd = table->add_subcommand("optimize", "Compact small data files into larger ones (same rows, one commit)");
    auto path = std::make_shared<std::string>();
    auto target = std::make_shared<std::string>("128MiB");
    auto min_files = std::make_shared<int>(2);
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("path", *path, "Table directory")->required();
    cmd->add_option("--target-size", *target, "Files smaller than this are compacted into files of about this size (default 128MiB)");
    cmd->add_option("--min-files", *min_files, "Small files a partition needs before it is compacted (default 2)");
    cmd->add_flag("--json", *as_json, "Print the result as JSON");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(int64_t bytes, server::ParseByteSize(*target));
      PLINTH_ASSIGN_OR_RETURN(auto t, OpenTable(*path));
      PLINTH_ASSIGN_OR_RETURN(delta::OptimizeResult r, t->Optimize({.target_file_bytes = bytes, .min_files = *min_files}));
      if (*as_json) {
        PrintJson({{"version", r.version >= 0 ? Json(r.version) : Json(nullptr)},
                   {"files_removed", r.files_removed},
                   {"files_added", r.files_added},
                   {"bytes_removed", r.bytes_removed},
                   {"bytes_added", r.bytes_added},
                   {"rows", r.rows},
                   {"partitions", r.partitions}});
      } else if (r.version < 0) {
        PrintLine("nothing to compact");
      } else {
        PrintLine(StrCat("committed version ", r.version, ": compacted ", r.files_removed, " file(s) (", r.bytes_removed,
                         " bytes) into ", r.files_added, " (", r.bytes_added, " bytes), ", r.rows, " rows in ", r.partitions,
                         " partition(s)"));
      }
      return absl::OkStatus();
    });
  }

  {
    auto* cmd = table->add_subcommand("vacuum", "Delete data files older versions no longer need");
    auto path = std::make_shared<std::string>();
    auto retain = std::make_shared<std::string>("168h");
    auto dry = std::make_shared<bool>(false);
    auto force = std::make_shared<bool>(false);
    cmd->add_option("path", *path, "Table directory")->required();
    cmd->add_option("--retain", *retain, "Keep files needed by versions newer than this (default 168h)");
    cmd->add_flag("--dry-run", *dry, "List what would be deleted");
    cmd->add_flag("--force", *force, "Allow a retention shorter than the table's delta.deletedFileRetentionDuration");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(int64_t micros, ParseDuration(*retain));
      PLINTH_ASSIGN_OR_RETURN(auto t, OpenTable(*path));
      PLINTH_ASSIGN_OR_RETURN(auto r, t->Vacuum(micros, *dry, *force));
      for (const auto& p : r.deleted) PrintLine(StrCat(*dry ? "would delete " : "deleted ", p));
      PrintLine(StrCat(*dry ? "would delete " : "deleted ", r.deleted.size(), " file(s), ", r.bytes, " bytes"));
      return absl::OkStatus();
    });
  }
}

}  // namespace plinth::cli
