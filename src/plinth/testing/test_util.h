// Test-only helpers shared by the unit tests (*_test.cc). Header-only; never linked into
// a library. Thread-safety: TempDir is not shared between threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plinth/base/random.h"
#include "plinth/base/status.h"

// Tests build requests with designated initializers ({.filter = "..."}) and leave the
// other fields at their defaults on purpose; -Wextra would flag every one of them.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace plinth::testing {

// The bytes of a string as the uint8_t pointer codec and encoding APIs take.
inline const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A fresh, uniquely named directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / StrCat("plinth-test-", RandomHex(8))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Path of `name` inside the directory.
  std::string Sub(std::string_view name) const { return (path_ / std::string(name)).string(); }

 private:
  std::filesystem::path path_;
};

inline const absl::Status& ToStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

// EXPECT_TRUE(StatusIs(result, absl::StatusCode::kNotFound, "not found")): the code matches
// and the message contains `substr`. On failure prints the actual status.
template <typename S>
::testing::AssertionResult StatusIs(const S& result, absl::StatusCode code, std::string_view substr = {}) {
  const absl::Status& st = ToStatus(result);
  if (st.code() == code && std::string(st.message()).find(substr) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "got " << st << "; want " << absl::StatusCodeToString(code)
                                       << (substr.empty() ? "" : StrCat(" containing '", substr, "'"));
}

inline std::string Message(const absl::Status& st) { return std::string(st.message()); }

}  // namespace plinth::testing

#define PLINTH_EXPECT_OK(expr) EXPECT_TRUE(::plinth::testing::ToStatus(expr).ok()) << ::plinth::testing::ToStatus(expr)
#define PLINTH_ASSERT_OK(expr) ASSERT_TRUE(::plinth::testing::ToStatus(expr).ok()) << ::plinth::testing::ToStatus(expr)

// PLINTH_ASSERT_OK_AND_ASSIGN(auto x, MakeX()): asserts OK, then binds the value.
#define PLINTH_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  PLINTH_ASSERT_OK_AND_ASSIGN_IMPL(PLINTH_STATUS_CONCAT(plinth_test_or_, __LINE__), lhs, expr)
#define PLINTH_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  ASSERT_TRUE(tmp.ok()) << tmp.status();                 \
  lhs = std::move(tmp).value()
