// registry_bench: seeds a running Plinth server over HTTP and measures it (see bench/README.md).
//
// Phase 1 registers N models x V versions with C client threads (artifact upload + version
// registration, as `plinth models register` does) and reports registrations/s over the whole
// seeding, then points alias `champion` at every model's latest version with one bulk call.
// Phase 2 measures get-by-alias, list-versions and a filtered search, first with one keep-alive
// client and then with C concurrent clients. Every response is checked; a wrong answer aborts.
// Only measured numbers are printed: a Markdown table on stdout and, with --json-out, JSON.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "plinth/base/json.h"
#include "plinth/base/sha256.h"
#include "plinth/base/strings.h"
#include "plinth/cli/cli_context.h"
#include "plinth/cli/http_client.h"

namespace plinth::bench {
namespace {

using cli::HttpClient;
using Clock = std::chrono::steady_clock;

constexpr const char* kAlias = "champion";
const char* const kTeams[] = {"risk", "growth", "fraud", "ops"};

struct Options {
  std::string server;
  std::string token;  // empty: the server runs without auth (loopback default)
  int64_t models = 10000;
  int64_t versions = 10;
  int clients = 4;
  int64_t samples = 2000;
  int64_t warmup = 100;
  bool seed_only = false;
  bool skip_seed = false;
  std::string json_out;
  uint64_t seed = 42;
};

// CPU seconds (user + system) this process has used so far.
double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

double MillisSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

[[noreturn]] void Die(const std::string& what, const absl::Status& st) {
  std::cerr << "registry_bench: " << what << ": " << st.ToString() << "\n";
  std::exit(1);
}

std::unique_ptr<HttpClient> Connect(const Options& o) {
  auto c = HttpClient::Create(o.server, o.token);
  if (!c.ok()) Die("client", c.status());
  return std::move(*c);
}

// Names sort in registration order and share prefixes: cust-00000 ... cust-09999.
int NameWidth(int64_t models) { return std::max<int>(5, static_cast<int>(std::to_string(models - 1).size())); }
std::string ModelName(int64_t i, int width) {
  std::string digits = std::to_string(i);
  return StrCat("cust-", std::string(width - std::min<size_t>(width, digits.size()), '0'), digits);
}

struct Stats {
  int64_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
  double wall_seconds = 0;
  double per_second = 0;  // completed operations / wall time
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));  // nearest rank
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

Stats Summarize(std::vector<double> ms, double wall_seconds) {
  Stats s;
  std::sort(ms.begin(), ms.end());
  s.count = static_cast<int64_t>(ms.size());
  s.p50 = Percentile(ms, 0.50);
  s.p90 = Percentile(ms, 0.90);
  s.p99 = Percentile(ms, 0.99);
  s.max = ms.empty() ? 0 : ms.back();
  double sum = 0;
  for (double v : ms) sum += v;
  s.mean = ms.empty() ? 0 : sum / static_cast<double>(ms.size());
  s.wall_seconds = wall_seconds;
  s.per_second = wall_seconds > 0 ? static_cast<double>(ms.size()) / wall_seconds : 0;
  return s;
}

Json ToJson(const Stats& s) {
  return {{"count", s.count}, {"p50_ms", s.p50},          {"p90_ms", s.p90},
          {"p99_ms", s.p99},  {"max_ms", s.max},          {"mean_ms", s.mean},
          {"wall_s", s.wall_seconds}, {"per_second", s.per_second}};
}

// ---------------------------------------------------------------------------------------------
// Phase 1: seeding.

struct SeedResult {
  int64_t registrations = 0;
  double wall_seconds = 0;
  Stats upload;    // POST /api/v1/artifacts
  Stats register_; // POST /api/v1/models/{name}/versions
  Stats total;     // both, per registration
  double bulk_alias_ms = 0;
  int64_t bulk_alias_moved = 0;
};

// A small, unique linear-json artifact (~250 bytes; registration parses it).
std::string Artifact(const std::string& model, int64_t job, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> w(-1, 1);
  std::string weights;
  for (int i = 0; i < 6; ++i) StrAppend(&weights, i ? "," : "", static_cast<double>(static_cast<int64_t>(w(rng) * 1e6)) / 1e6);
  return StrCat("{\"format\":\"plinth-linear\",\"description\":\"", model, " job ", job,
                "\",\"features\":[\"f0\",\"f1\",\"f2\",\"f3\",\"f4\",\"f5\"],\"weights\":[", weights,
                "],\"bias\":", static_cast<double>(static_cast<int64_t>(w(rng) * 1e6)) / 1e6, ",\"link\":\"logistic\"}");
}

SeedResult Seed(const Options& o) {
  const int width = NameWidth(o.models);
  const int64_t total = o.models * o.versions;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  std::vector<std::vector<double>> upload_ms(o.clients), register_ms(o.clients), total_ms(o.clients);
  std::filesystem::path scratch = std::filesystem::temp_directory_path() / StrCat("plinth-bench-", ::getpid());
  std::filesystem::create_directories(scratch);

  auto worker = [&](int t) {
    auto client = Connect(o);
    std::mt19937_64 rng(o.seed * 1000 + static_cast<uint64_t>(t));
    std::uniform_real_distribution<double> auc(0.5, 1.0);
    std::string file = (scratch / StrCat("artifact-", t, ".json")).string();
    upload_ms[t].reserve(static_cast<size_t>(total / o.clients + 1));
    register_ms[t].reserve(static_cast<size_t>(total / o.clients + 1));
    total_ms[t].reserve(static_cast<size_t>(total / o.clients + 1));
    for (int64_t job; (job = next.fetch_add(1)) < total;) {
      // Version-major order: every model gets v1 before any gets v2, as a fleet of retrains would.
      int64_t model_index = job % o.models;
      std::string name = ModelName(model_index, width);
      std::string body = Artifact(name, job, rng);
      std::ofstream(file, std::ios::binary | std::ios::trunc) << body;  // HttpClient::Upload streams from a file
      std::string sha = Sha256Hex(body);

      auto t0 = Clock::now();
      auto up = client->Upload("/api/v1/artifacts", file, sha);
      if (!up.ok()) Die(StrCat("upload for ", name), up.status());
      if (up->value("sha256", "") != sha) Die("upload", absl::DataLossError(StrCat("server digest ", DumpJson(*up))));
      double upload = MillisSince(t0);

      auto t1 = Clock::now();
      Json req = {{"artifact_sha256", sha},
                  {"format", "linear-json"},
                  {"metrics", {{"auc", auc(rng)}}},
                  {"tags", {{"team", kTeams[rng() % std::size(kTeams)]}}},
                  {"params", {{"max_depth", std::to_string(3 + rng() % 6)}, {"learning_rate", "0.1"}}},
                  {"create_model", true}};
      auto reg = client->Call("POST", StrCat("/api/v1/models/", name, "/versions"), req);
      if (!reg.ok()) Die(StrCat("register ", name), reg.status());
      register_ms[t].push_back(MillisSince(t1));
      upload_ms[t].push_back(upload);
      total_ms[t].push_back(MillisSince(t0));
      done.fetch_add(1);
    }
  };

  std::cerr << "seeding " << o.models << " models x " << o.versions << " versions = " << total << " registrations with "
            << o.clients << " clients\n";
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.clients; ++t) threads.emplace_back(worker, t);
  std::atomic<bool> finished{false};
  std::thread progress([&] {
    auto last = Clock::now();
    while (!finished.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (std::chrono::duration<double>(Clock::now() - last).count() < 10) continue;
      last = Clock::now();
      double s = MillisSince(start) / 1000;
      int64_t d = done.load();
      std::fprintf(stderr, "  %lld/%lld registrations, %.0f/s so far\n", static_cast<long long>(d),
                   static_cast<long long>(total), static_cast<double>(d) / s);
    }
  });
  for (auto& th : threads) th.join();
  SeedResult r;
  r.wall_seconds = MillisSince(start) / 1000;
  finished = true;
  progress.join();
  std::filesystem::remove_all(scratch);

  auto merge = [](std::vector<std::vector<double>>& parts) {
    std::vector<double> all;
    for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
  };
  r.registrations = total;
  r.upload = Summarize(merge(upload_ms), r.wall_seconds);
  r.register_ = Summarize(merge(register_ms), r.wall_seconds);
  r.total = Summarize(merge(total_ms), r.wall_seconds);

  // Point `champion` at each model's latest version in one call (one transaction server-side).
  auto client = Connect(o);
  auto t0 = Clock::now();
  auto bulk = client->Call("POST", "/api/v1/aliases/bulk-set", Json{{"alias", kAlias}, {"filter", "name like 'cust-%'"}});
  r.bulk_alias_ms = MillisSince(t0);
  if (!bulk.ok()) Die("bulk alias", bulk.status());
  r.bulk_alias_moved = bulk->value("moved_count", int64_t{0});
  return r;
}

// ---------------------------------------------------------------------------------------------
// Phase 2: latency.

// One request of a measured kind. Validates the answer; returns an error for a wrong one.
using Op = std::function<absl::Status(HttpClient&, std::mt19937_64&)>;

struct Scenario {
  std::string key;    // for JSON
  std::string label;  // for the table
  Op op;
  double target_p99_ms = 0;  // 0: no target
};

std::vector<Scenario> Scenarios(const Options& o, bool know_versions) {
  const int width = NameWidth(o.models);
  auto random_model = [&o, width](std::mt19937_64& rng) {
    return ModelName(static_cast<int64_t>(rng() % static_cast<uint64_t>(o.models)), width);
  };
  const int64_t versions = o.versions;
  std::vector<Scenario> out;
  out.push_back({"get_by_alias", "get-by-alias (`GET /models/{m}/aliases/champion`)",
                 [=](HttpClient& c, std::mt19937_64& rng) -> absl::Status {
                   std::string name = random_model(rng);
                   PLINTH_ASSIGN_OR_RETURN(Json v, c.Call("GET", StrCat("/api/v1/models/", name, "/aliases/", kAlias)));
                   if (v.value("model", "") != name || (know_versions && v.value("version", int64_t{0}) != versions)) {
                     return absl::InternalError(StrCat("unexpected alias answer: ", DumpJson(v).substr(0, 300)));
                   }
                   return absl::OkStatus();
                 },
                 2.0});
  out.push_back({"list_versions", "list versions of a model (`GET /models/{m}/versions`)",
                 [=](HttpClient& c, std::mt19937_64& rng) -> absl::Status {
                   std::string name = random_model(rng);
                   PLINTH_ASSIGN_OR_RETURN(Json v, c.Call("GET", StrCat("/api/v1/models/", name, "/versions")));
                   size_t n = v.contains("versions") && v["versions"].is_array() ? v["versions"].size() : 0;
                   if (n == 0 || (know_versions && static_cast<int64_t>(n) != std::min<int64_t>(versions, 100))) {
                     return absl::InternalError(StrCat("unexpected versions answer for ", name, ": ", n, " versions"));
                   }
                   return absl::OkStatus();
                 },
                 0});
  // Prefix of 2 digits after "cust-": 1/10 of the models when there are 10,000 (cust-01% etc.).
  out.push_back({"search", "filtered search, first page of 50 (`GET /model-versions?filter=...`)",
                 [=](HttpClient& c, std::mt19937_64& rng) -> absl::Status {
                   std::string prefix = random_model(rng).substr(0, 7);
                   std::string filter = StrCat("name like '", prefix, "%' and metrics.auc >= 0.9 and tags.team = 'risk'");
                   PLINTH_ASSIGN_OR_RETURN(Json v, c.Call("GET", StrCat("/api/v1/model-versions?filter=", cli::PercentEncode(filter),
                                                                        "&order_by=", cli::PercentEncode("metrics.auc desc"),
                                                                        "&page_size=50")));
                   if (!v.contains("versions") || !v["versions"].is_array()) {
                     return absl::InternalError(StrCat("unexpected search answer: ", DumpJson(v).substr(0, 300)));
                   }
                   double last = 2;
                   for (const Json& item : v["versions"]) {
                     double auc = item["metrics"].value("auc", -1.0);
                     if (auc < 0.9 || auc > last || !StartsWith(item.value("model", ""), prefix) ||
                         item["tags"].value("team", "") != "risk") {
                       return absl::InternalError(StrCat("search returned a non-matching or misordered version: ",
                                                         DumpJson(item).substr(0, 300)));
                     }
                     last = auc;
                   }
                   return absl::OkStatus();
                 },
                 50.0});
  return out;
}

// Runs `samples` requests of `op` split over `clients` threads, each on its own keep-alive
// connection, after `warmup` unrecorded requests per thread.
Stats Measure(const Options& o, const Scenario& s, int clients, int64_t samples, uint64_t seed) {
  std::vector<std::vector<double>> ms(clients);
  std::barrier sync(clients + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      auto client = Connect(o);
      std::mt19937_64 rng(seed + static_cast<uint64_t>(t) * 7919);
      for (int64_t i = 0; i < o.warmup; ++i) {
        absl::Status st = s.op(*client, rng);
        if (!st.ok()) Die(StrCat(s.key, " (warm-up)"), st);
      }
      int64_t mine = samples / clients + (t < samples % clients ? 1 : 0);
      ms[t].reserve(static_cast<size_t>(mine));
      sync.arrive_and_wait();
      for (int64_t i = 0; i < mine; ++i) {
        auto t0 = Clock::now();
        absl::Status st = s.op(*client, rng);
        ms[t].push_back(MillisSince(t0));
        if (!st.ok()) Die(s.key, st);
      }
    });
  }
  sync.arrive_and_wait();
  auto start = Clock::now();
  for (auto& th : threads) th.join();
  double wall = MillisSince(start) / 1000;
  std::vector<double> all;
  for (auto& v : ms) all.insert(all.end(), v.begin(), v.end());
  return Summarize(std::move(all), wall);
}

std::string Fmt(double v, int decimals = 2) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

int Run(const Options& o) {
  Json report = {{"server", o.server},
                 {"auth", !o.token.empty()},
                 {"models", o.models},
                 {"versions", o.versions},
                 {"clients", o.clients},
                 {"samples", o.samples},
                 {"warmup", o.warmup}};
  bool all_pass = true;
  std::string table = "| measurement | clients | n | p50 ms | p90 ms | p99 ms | max ms | throughput | target | result |\n"
                      "|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n";
  auto row = [&](const std::string& label, int clients, const Stats& s, const std::string& throughput,
                 const std::string& target, const std::string& result) {
    StrAppend(&table, "| ", label, " | ", clients, " | ", s.count, " | ", Fmt(s.p50), " | ", Fmt(s.p90), " | ", Fmt(s.p99), " | ",
              Fmt(s.max), " | ", throughput, " | ", target, " | ", result, " |\n");
  };

  if (!o.skip_seed) {
    SeedResult seed = Seed(o);
    double rate = static_cast<double>(seed.registrations) / seed.wall_seconds;
    bool pass = rate >= 500;
    all_pass &= pass;
    report["seed"] = {{"registrations", seed.registrations},
                      {"wall_s", seed.wall_seconds},
                      {"registrations_per_second", rate},
                      {"target_registrations_per_second", 500},
                      {"pass", pass},
                      {"upload", ToJson(seed.upload)},
                      {"register", ToJson(seed.register_)},
                      {"registration", ToJson(seed.total)},
                      {"bulk_alias_ms", seed.bulk_alias_ms},
                      {"bulk_alias_moved", seed.bulk_alias_moved}};
    row("registration (upload + register)", o.clients, seed.total, StrCat(Fmt(rate, 0), " reg/s"), "≥ 500 reg/s",
        pass ? "PASS" : "FAIL");
    row("&nbsp;&nbsp;of which: artifact upload", o.clients, seed.upload, "", "", "");
    row("&nbsp;&nbsp;of which: version register", o.clients, seed.register_, "", "", "");
    std::cerr << "seeded " << seed.registrations << " registrations in " << Fmt(seed.wall_seconds, 1) << " s ("
              << Fmt(rate, 0) << "/s); bulk alias on " << seed.bulk_alias_moved << " models took "
              << Fmt(seed.bulk_alias_ms, 0) << " ms\n";
  }
  if (!o.seed_only) {
    Json latency = Json::object();
    uint64_t seed = o.seed;
    for (const Scenario& s : Scenarios(o, !o.skip_seed)) {
      for (int clients : {1, o.clients}) {
        if (clients == o.clients && clients == 1 && latency.contains(s.key)) continue;
        std::cerr << "measuring " << s.key << " with " << clients << " client(s)\n";
        Stats st = Measure(o, s, clients, o.samples, ++seed);
        bool pass = s.target_p99_ms == 0 || st.p99 <= s.target_p99_ms;
        all_pass &= pass;
        Json j = ToJson(st);
        if (s.target_p99_ms > 0) {
          j["target_p99_ms"] = s.target_p99_ms;
          j["pass"] = pass;
        }
        latency[s.key][StrCat("clients_", clients)] = j;
        row(s.label, clients, st, StrCat(Fmt(st.per_second, 0), " req/s"),
            s.target_p99_ms > 0 ? StrCat("p99 ≤ ", Fmt(s.target_p99_ms, 0), " ms") : "",
            s.target_p99_ms > 0 ? (pass ? "PASS" : "FAIL") : "");
      }
    }
    report["latency"] = latency;
  }
  report["all_targets_met"] = all_pass;
  report["client_cpu_s"] = ProcessCpuSeconds();
  if (report.contains("seed")) {
    StrAppend(&table, "\nBulk alias: `POST /aliases/bulk-set` moved `", kAlias, "` on ", report["seed"]["bulk_alias_moved"].get<int64_t>(),
              " models in ", Fmt(report["seed"]["bulk_alias_ms"].get<double>(), 0), " ms (one request, one transaction).\n");
  }
  std::cout << table << std::flush;
  if (!o.json_out.empty()) {
    std::ofstream out(o.json_out);
    out << report.dump(2) << "\n";
    if (!out) {
      std::cerr << "registry_bench: cannot write " << o.json_out << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace plinth::bench

int main(int argc, char** argv) {
  plinth::bench::Options o;
  CLI::App app{"Plinth registry benchmark: seeds a running server over HTTP, then measures latency."};
  app.add_option("--server", o.server, "server URL, e.g. http://127.0.0.1:7070")->required();
  app.add_option("--token", o.token, "API token with read and write scopes, for a server with --auth required");
  app.add_option("--models", o.models, "models to register")->check(CLI::PositiveNumber);
  app.add_option("--versions", o.versions, "versions per model")->check(CLI::PositiveNumber);
  app.add_option("--clients", o.clients, "concurrent client threads (seeding and the concurrent run)")->check(CLI::Range(1, 256));
  app.add_option("--samples", o.samples, "requests per latency measurement")->check(CLI::PositiveNumber);
  app.add_option("--warmup", o.warmup, "unrecorded requests per client thread before each measurement")->check(CLI::NonNegativeNumber);
  app.add_option("--seed", o.seed, "random seed (model choice, metrics, tags)");
  app.add_flag("--seed-only", o.seed_only, "register and alias, then stop");
  app.add_flag("--skip-seed", o.skip_seed, "measure an already seeded server (same --models)");
  app.add_option("--json-out", o.json_out, "also write the results as JSON to this file");
  CLI11_PARSE(app, argc, argv);
  if (o.seed_only && o.skip_seed) {
    std::cerr << "registry_bench: --seed-only and --skip-seed exclude each other\n";
    return 2;
  }
  return plinth::bench::Run(o);
}
