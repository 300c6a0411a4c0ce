#include "plinth/base/logging.h"

#include <cstdio>
#include <memory>
#include <mutex>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>


namespace plinth {

namespace {
std::shared_ptr<spdlog::logger>& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_logger_mt("plinth");
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
    l->set_level(spdlog::level::info);
    return l;
  }();
  return logger;
}

class SpdlogSink : public LineSink {
 public:
  explicit SpdlogSink(std::shared_ptr<spdlog::logger> l) : logger_(std::move(l)) {
    logger_->set_pattern("%v");
    logger_->set_level(spdlog::level::info);
    logger_->flush_on(spdlog::level::info);  // each line reaches the file when written
  }
  ~SpdlogSink() override {
    logger_->flush();
    spdlog::drop(logger_->name());
  }
  void Write(std::string_view line) override { logger_->info(line); }
  void Flush() override { logger_->flush(); }

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

class NullSink : public LineSink {
 public:
  void Write(std::string_view) override {}
  void Flush() override {}
  bool enabled() const override { return false; }
};
}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn" || text == "warning") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  if (text == "off") return LogLevel::kOff;
  return absl::InvalidArgumentError(StrCat("invalid log level '", text, "': use debug, info, warn, error or off"));
}

void InitLogging(LogLevel level) {
  static const spdlog::level::level_enum kMap[] = {spdlog::level::debug, spdlog::level::info,
                                                   spdlog::level::warn, spdlog::level::err,
                                                   spdlog::level::off};
  Logger()->set_level(kMap[static_cast<int>(level)]);
  Logger()->flush_on(spdlog::level::warn);
}

void LogDebug(std::string_view m) { Logger()->debug(m); }
void LogInfo(std::string_view m) { Logger()->info(m); }
void LogWarn(std::string_view m) { Logger()->warn(m); }
void LogError(std::string_view m) { Logger()->error(m); }
void FlushLogs() { Logger()->flush(); }

absl::StatusOr<std::unique_ptr<LineSink>> LineSink::Open(const std::string& target) {
  static std::atomic<int> counter{0};
  std::string name = StrCat("sink", counter.fetch_add(1));
  try {
    if (target == "off") return std::unique_ptr<LineSink>(std::make_unique<NullSink>());
    if (target == "stderr") return std::unique_ptr<LineSink>(std::make_unique<SpdlogSink>(spdlog::stderr_logger_mt(name)));
    if (target == "stdout") return std::unique_ptr<LineSink>(std::make_unique<SpdlogSink>(spdlog::stdout_logger_mt(name)));
    return std::unique_ptr<LineSink>(std::make_unique<SpdlogSink>(spdlog::basic_logger_mt(name, target)));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(StrCat("cannot open log '", target, "': ", e.what()));
  }
}

}  // namespace plinth
