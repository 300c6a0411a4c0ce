// Process logging: leveled lines to stderr (and optionally a file), backed by spdlog.
//
// The header stays light on purpose (no spdlog include) so every file can log cheaply.
// Thread-safety: all functions are safe for concurrent use after InitLogging.
#pragma once

#include <string>
#include <string_view>

#include "plinth/base/status.h"

namespace plinth {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text);

// Sets the level; callable more than once. Before the first call the level is kInfo.
void InitLogging(LogLevel level);

void LogDebug(std::string_view message);
void LogInfo(std::string_view message);
void LogWarn(std::string_view message);
void LogError(std::string_view message);
void FlushLogs();

// A line-oriented log destination for the access log: "stderr", "stdout", "off" or a file path.
class LineSink {
 public:
  static absl::StatusOr<std::unique_ptr<LineSink>> Open(const std::string& target);
  virtual ~LineSink() = default;
  virtual void Write(std::string_view line) = 0;
  virtual void Flush() = 0;
  // false for "off": callers skip building lines nobody reads.
  virtual bool enabled() const { return true; }
};

}  // namespace plinth
