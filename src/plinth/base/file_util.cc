#include "plinth/base/file_util.h"

#include <fstream>
#include <iterator>

namespace plinth {

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(StrCat("cannot read ", path));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::InternalError(StrCat("error reading ", path));
  return bytes;
}

}  // namespace plinth
