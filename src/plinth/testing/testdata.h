// Locates ../shared/testdata (real Parquet files, Delta tables and models written by other
// implementations). Tests read it in place and skip, by name, where it is absent:
//
//   PLINTH_REQUIRE_TESTDATA(root);            // GTEST_SKIP()s when not found
//   std::string file = root + "/parquet/alltypes_plain.parquet";
//
// Lookup order: $PLINTH_TESTDATA, then <source tree>/../shared/testdata. Header-only.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace plinth::testing {

inline std::optional<std::string> TestdataDir() {
  if (const char* env = std::getenv("PLINTH_TESTDATA"); env != nullptr && *env != '\0') {
    if (std::filesystem::is_directory(env)) return std::string(env);
    return std::nullopt;
  }
  // __FILE__ is <source>/src/plinth/testing/testdata.h.
  std::filesystem::path here(__FILE__);
  auto candidate = here.parent_path().parent_path().parent_path().parent_path().parent_path() /
                   "shared" / "testdata";
  if (std::filesystem::is_directory(candidate)) return candidate.lexically_normal().string();
  return std::nullopt;
}

}  // namespace plinth::testing

// Binds `var` (a std::string) to the testdata root or skips the test saying why.
#define PLINTH_REQUIRE_TESTDATA(var)                                                      \
  std::string var;                                                                        \
  do {                                                                                    \
    auto plinth_td_ = ::plinth::testing::TestdataDir();                                   \
    if (!plinth_td_) GTEST_SKIP() << "shared testdata not found (set PLINTH_TESTDATA)";   \
    var = *plinth_td_;                                                                    \
  } while (0)
