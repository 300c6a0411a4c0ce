#include "plinth/cli/cli_context.h"

#include <cstdlib>
#include <iostream>
#include <iterator>

#include "plinth/base/file_util.h"

namespace plinth::cli {

void AddClientOptions(CLI::App* cmd, ClientOptions* opts) {
  const char* env_server = std::getenv("PLINTH_SERVER");
  const char* env_token = std::getenv("PLINTH_TOKEN");
  opts->server = env_server ? env_server : "http://127.0.0.1:7070";
  opts->token = env_token ? env_token : "";
  cmd->add_option("--server", opts->server, "Server URL (env PLINTH_SERVER)");
  cmd->add_option("--token", opts->token, "API token (env PLINTH_TOKEN)");
  cmd->add_option("--output,-o", opts->output, "Output format")->check(CLI::IsMember({"json", "table"}));
}

absl::StatusOr<std::unique_ptr<HttpClient>> Connect(const ClientOptions& opts) {
  return HttpClient::Create(opts.server, opts.token);
}

void PrintJson(const Json& value) { std::cout << DumpJson(value, 2) << std::endl; }

namespace {
std::string Cell(const Json& row, const std::string& pointer) {
  Json::json_pointer p(pointer);
  if (!row.contains(p)) return "";
  const Json& v = row.at(p);
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.empty()) return "";
  if (v.is_array()) {
    std::string out;
    for (const auto& e : v) StrAppend(&out, out.empty() ? "" : ",", e.is_string() ? e.get<std::string>() : e.dump());
    return out;
  }
  if (v.is_object()) {
    std::string out;
    for (auto it = v.begin(); it != v.end(); ++it) {
      StrAppend(&out, out.empty() ? "" : ",", it.key(), "=", it->is_string() ? it->get<std::string>() : it->dump());
    }
    return out;
  }
  return v.dump();
}
}  // namespace

void PrintTable(const std::vector<Json>& rows, const std::vector<std::pair<std::string, std::string>>& columns) {
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width;
  for (const auto& [title, ptr] : columns) width.push_back(title.size());
  for (const auto& row : rows) {
    std::vector<std::string> line;
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string c = Cell(row, columns[i].second);
      if (c.size() > 60) c = c.substr(0, 57) + "...";
      width[i] = std::max(width[i], c.size());
      line.push_back(std::move(c));
    }
    cells.push_back(std::move(line));
  }
  auto print_line = [&](const std::vector<std::string>& line) {
    std::string out;
    for (size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out += std::string(width[i] - line[i].size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::cout << out << "\n";
  };
  std::vector<std::string> header;
  for (const auto& [title, ptr] : columns) header.push_back(title);
  print_line(header);
  for (const auto& line : cells) print_line(line);
  std::cout.flush();
}

void PrintObject(const Json& obj) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    std::string v = it->is_string() ? it->get<std::string>() : it->dump();
    std::cout << it.key() << ": " << v << "\n";
  }
  std::cout.flush();
}

CommandResult& LastResult() {
  static CommandResult r;
  return r;
}

void Fail(const absl::Status& status) {
  if (LastResult().status.ok()) LastResult().status = status;
}

absl::StatusOr<Json> KeyValues(const std::vector<std::string>& pairs, const std::string& what, bool numeric) {
  Json out = Json::object();
  for (const auto& p : pairs) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(StrCat("invalid ", what, " '", p, "': expected KEY=VALUE"));
    }
    std::string key = p.substr(0, eq), value = p.substr(eq + 1);
    if (numeric) {
      auto d = ParseDouble(value);
      if (!d) return absl::InvalidArgumentError(StrCat(what, " '", key, "' needs a numeric value, got '", value, "'"));
      out[key] = *d;
    } else {
      out[key] = value;
    }
  }
  return out;
}

void Do(CLI::App* cmd, std::function<absl::Status()> fn) {
  cmd->callback([fn = std::move(fn)] {
    absl::Status st = fn();
    if (!st.ok()) Fail(st);
  });
}

absl::StatusOr<std::string> InlineOrFile(const std::string& text, const std::string& file) {
  if (file.empty()) return text;
  if (file == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  return ReadFileToString(file);
}

}  // namespace plinth::cli
