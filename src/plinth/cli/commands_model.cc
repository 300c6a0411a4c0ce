// `plinth model inspect|predict|compile FILE`: work with a model file locally, without a server
// (check what a file holds, score a CSV or JSON lines file, build the compiled form).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <variant>

#include "plinth/base/file_util.h"
#include "plinth/base/json.h"
#include "plinth/base/strings.h"
#include "plinth/cli/cli_context.h"
#include "plinth/cli/commands.h"
#include "plinth/runtime/model_loader.h"
#include "plinth/runtime/reference_eval.h"
#include "plinth/runtime/row_encoder.h"
#include "plinth/storage/columnar/text_io.h"

namespace plinth::cli {
namespace {

using runtime::Model;
using runtime::ParsedModel;
using runtime::PredictOptions;

struct LoadedFile {
  std::string format;
  std::string bytes;
};

absl::StatusOr<LoadedFile> ReadModelFile(const std::string& path, const std::string& format) {
  LoadedFile f;
  PLINTH_ASSIGN_OR_RETURN(f.bytes, ReadFileToString(path));
  if (format.empty()) {
    PLINTH_ASSIGN_OR_RETURN(f.format, runtime::DetectModelFormat(f.bytes));
  } else if (!runtime::IsLoadableFormat(format)) {
    return absl::InvalidArgumentError(StrCat("unknown --format '", format,
                                             "' (use xgboost-json, xgboost-ubj, lightgbm-text, linear-json or plinth-forest)"));
  } else {
    f.format = format;
  }
  return f;
}

// Scores rows in batches with either the compiled model or the reference evaluator.
class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual const runtime::Signature& signature() const = 0;
  virtual absl::StatusOr<std::vector<double>> Score(const std::vector<double>& rows, size_t n, int* width) = 0;
};

class CompiledScorer : public Scorer {
 public:
  CompiledScorer(std::unique_ptr<Model> m, PredictOptions o) : model_(std::move(m)), options_(o) {}
  const runtime::Signature& signature() const override { return model_->signature(); }
  absl::StatusOr<std::vector<double>> Score(const std::vector<double>& rows, size_t n, int* width) override {
    *width = model_->OutputWidth(options_);
    std::vector<double> out(n * *width);
    PLINTH_RETURN_IF_ERROR(model_->Predict(rows.data(), n, out.data(), options_));
    return out;
  }

 private:
  std::unique_ptr<Model> model_;
  PredictOptions options_;
};

class ReferenceScorer : public Scorer {
 public:
  ReferenceScorer(ParsedModel p, PredictOptions o) : parsed_(std::move(p)), options_(o) {}
  const runtime::Signature& signature() const override {
    return std::visit([](const auto& m) -> const runtime::Signature& { return m.signature; }, parsed_);
  }
  absl::StatusOr<std::vector<double>> Score(const std::vector<double>& rows, size_t n, int* width) override {
    std::vector<double> out =
        std::visit([&](const auto& m) { return runtime::ReferencePredict(m, rows.data(), n, options_); }, parsed_);
    *width = n == 0 ? 0 : static_cast<int>(out.size() / n);
    return out;
  }

 private:
  ParsedModel parsed_;
  PredictOptions options_;
};

void PrintRows(const std::vector<double>& out, size_t n, int width) {
  std::string line;
  for (size_t r = 0; r < n; ++r) {
    Json row = Json::array();
    for (int k = 0; k < width; ++k) row.push_back(out[r * width + k]);
    line = DumpJson(row);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
}

// Reads CSV (header row) or JSON lines, encodes rows by feature name (columns the model does not
// use are ignored; a feature with no column is an error), and prints one JSON array per row.
absl::Status PredictFile(Scorer& scorer, const std::string& input, const std::string& input_format) {
  const runtime::RowEncoder enc(scorer.signature());
  const size_t f = static_cast<size_t>(enc.num_features());
  std::ifstream file;
  std::istream* in = &std::cin;
  if (input != "-") {
    file.open(input, std::ios::binary);
    if (!file) return absl::NotFoundError(StrCat("cannot read ", input));
    in = &file;
  }
  std::string fmt = input_format;
  if (fmt.empty()) fmt = input.ends_with(".csv") ? "csv" : "jsonl";
  if (fmt != "csv" && fmt != "jsonl") return absl::InvalidArgumentError("--input-format must be csv or jsonl");

  constexpr size_t kBatch = 4096;
  std::vector<double> rows;
  size_t n = 0;
  auto flush = [&]() -> absl::Status {
    if (n == 0) return absl::OkStatus();
    int width = 0;
    PLINTH_ASSIGN_OR_RETURN(std::vector<double> out, scorer.Score(rows, n, &width));
    PrintRows(out, n, width);
    rows.clear();
    n = 0;
    return absl::OkStatus();
  };

  int64_t line = 0;
  if (fmt == "csv") {
    std::vector<std::string> fields;
    std::vector<bool> quoted;
    PLINTH_ASSIGN_OR_RETURN(bool ok, columnar::ReadCsvRecord(*in, line, &fields, &quoted));
    if (!ok) return absl::InvalidArgumentError("CSV input is empty (want a header naming the features)");
    std::vector<int> column_feature(fields.size(), -1);
    std::vector<bool> covered(f, false);
    for (size_t c = 0; c < fields.size(); ++c) {
      int idx = enc.Find(fields[c]);
      if (idx >= 0) {
        if (covered[idx]) return absl::InvalidArgumentError(StrCat("CSV header names feature '", fields[c], "' twice"));
        covered[idx] = true;
        column_feature[c] = idx;
      }
    }
    for (size_t i = 0; i < f; ++i) {
      if (!covered[i]) {
        return absl::InvalidArgumentError(StrCat("CSV input has no column for feature '", scorer.signature().inputs[i].name, "'"));
      }
    }
    while (true) {
      PLINTH_ASSIGN_OR_RETURN(bool more, columnar::ReadCsvRecord(*in, line, &fields, &quoted));
      if (!more) break;
      if (fields.size() == 1 && fields[0].empty()) continue;
      if (fields.size() != column_feature.size()) {
        return absl::InvalidArgumentError(StrCat("line ", line, ": ", fields.size(), " fields, the header has ", column_feature.size()));
      }
      rows.resize((n + 1) * f);
      double* row = rows.data() + n * f;
      for (size_t c = 0; c < fields.size(); ++c) {
        if (column_feature[c] < 0) continue;
        PLINTH_RETURN_IF_ERROR(enc.EncodeText(column_feature[c], fields[c], &row[column_feature[c]], StrCat("line ", line)));
      }
      if (++n == kBatch) PLINTH_RETURN_IF_ERROR(flush());
    }
  } else {
    std::string text;
    while (std::getline(*in, text)) {
      ++line;
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto obj = ParseJsonObject(text);
      if (!obj.ok()) return absl::InvalidArgumentError(StrCat("line ", line, ": ", obj.status().message()));
      rows.resize((n + 1) * f);
      double* row = rows.data() + n * f;
      std::vector<bool> covered(f, false);
      for (auto it = obj->begin(); it != obj->end(); ++it) {
        int idx = enc.Find(it.key());
        if (idx < 0) continue;
        covered[idx] = true;
        PLINTH_RETURN_IF_ERROR(enc.EncodeValue(idx, it.value(), &row[idx], StrCat("line ", line)));
      }
      for (size_t i = 0; i < f; ++i) {
        if (!covered[i]) {
          return absl::InvalidArgumentError(StrCat("line ", line, ": feature '", scorer.signature().inputs[i].name,
                                                   "' is missing (write null for a missing value)"));
        }
      }
      if (++n == kBatch) PLINTH_RETURN_IF_ERROR(flush());
    }
  }
  return flush();
}

}  // namespace

void AddModelCommands(CLI::App& app) {
  auto* model = app.add_subcommand("model", "Inspect, score and compile a model file locally (no server)");
  model->require_subcommand(1);

  {
    auto* cmd = model->add_subcommand("inspect", "Format, objective, trees and signature of a model file");
    auto path = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>();
    cmd->add_option("file", *path, "Model file")->required();
    cmd->add_option("--format", *format, "xgboost-json, xgboost-ubj, lightgbm-text, linear-json or plinth-forest (default: detected)");
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(LoadedFile f, ReadModelFile(*path, *format));
      PLINTH_ASSIGN_OR_RETURN(auto m, runtime::LoadModel(f.format, f.bytes));
      Json d = m->Describe();
      d["format"] = f.format;
      d["signature"] = m->signature().ToJson();
      PrintJson(d);
      return absl::OkStatus();
    });
  }
  {
    auto* cmd = model->add_subcommand("predict", "Score a CSV or JSON lines file: one JSON array of predictions per row");
    auto path = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>();
    auto input = std::make_shared<std::string>();
    auto input_format = std::make_shared<std::string>();
    auto engine = std::make_shared<std::string>("compiled");
    auto margin = std::make_shared<bool>(false);
    auto iterations = std::make_shared<int>(0);
    cmd->add_option("file", *path, "Model file")->required();
    cmd->add_option("--format", *format, "Model format (default: detected)");
    cmd->add_option("--input", *input, "Rows: .csv with a header, or JSON lines of {feature: value}; - for stdin")->required();
    cmd->add_option("--input-format", *input_format, "csv or jsonl (default: by extension)");
    cmd->add_flag("--output-margin", *margin, "Raw margins, before the objective's transform");
    cmd->add_option("--iterations", *iterations, "Use only the first N boosting iterations");
    cmd->add_option("--engine", *engine, "compiled (default) or reference (the slow oracle evaluator)");
    Do(cmd, [=]() -> absl::Status {
      if (*iterations < 0) return absl::InvalidArgumentError("--iterations must not be negative");
      PLINTH_ASSIGN_OR_RETURN(LoadedFile f, ReadModelFile(*path, *format));
      PredictOptions opts;
      opts.output_margin = *margin;
      opts.iteration_limit = *iterations;
      std::unique_ptr<Scorer> scorer;
      if (*engine == "compiled") {
        PLINTH_ASSIGN_OR_RETURN(auto m, runtime::LoadModel(f.format, f.bytes));
        scorer = std::make_unique<CompiledScorer>(std::move(m), opts);
      } else if (*engine == "reference") {
        if (f.format == runtime::kCompiledFormat) return absl::InvalidArgumentError("--engine reference needs the source model file");
        PLINTH_ASSIGN_OR_RETURN(auto parsed, runtime::ParseModel(f.format, f.bytes));
        scorer = std::make_unique<ReferenceScorer>(std::move(parsed), opts);
      } else {
        return absl::InvalidArgumentError("--engine must be compiled or reference");
      }
      return PredictFile(*scorer, *input, *input_format);
    });
  }
  {
    auto* cmd = model->add_subcommand("compile", "Write the compiled form (plinth-forest), which loads without parsing");
    auto path = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>();
    cmd->add_option("file", *path, "Model file")->required();
    cmd->add_option("--format", *format, "Model format (default: detected)");
    cmd->add_option("-o,--output", *output, "Compiled file to write")->required();
    Do(cmd, [=]() -> absl::Status {
      PLINTH_ASSIGN_OR_RETURN(LoadedFile f, ReadModelFile(*path, *format));
      if (f.format == runtime::kCompiledFormat) return absl::InvalidArgumentError("the file is already compiled");
      PLINTH_ASSIGN_OR_RETURN(auto parsed, runtime::ParseModel(f.format, f.bytes));
      PLINTH_ASSIGN_OR_RETURN(std::string bytes, runtime::CompileModel(parsed));
      std::ofstream out(*output, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.close();
      if (!out) return absl::InternalError(StrCat("cannot write ", *output));
      std::printf("compiled %s (%s) into %s: %zu bytes\n", path->c_str(), f.format.c_str(), output->c_str(), bytes.size());
      return absl::OkStatus();
    });
  }
}

}  // namespace plinth::cli
