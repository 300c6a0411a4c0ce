#include "plinth/storage/kv/online_store.h"

namespace plinth::kv {

std::optional<std::string> PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();  // "a\xff" ends at "b": every key starting with it is below "b"
  }
  return std::nullopt;
}

}  // namespace plinth::kv
