// Writing JSON text directly (no DOM) for hot response paths: strings and numbers formatted as
// DumpJson (json.h) would give them, so a response built either way parses to the same values.
// Thread-safety: stateless functions.
#pragma once

#include <string>
#include <string_view>

namespace plinth {

// A quoted JSON string. Control characters, '"' and '\' are escaped; bytes that are not valid
// UTF-8 become U+FFFD (as DumpJson's replace mode does), so the output is always valid JSON.
void AppendJsonString(std::string* out, std::string_view s);

// The shortest text that reads back as exactly `v`, with ".0" added to integral values
// ("5.0", "1e+20"); NaN and infinities, which JSON cannot hold, as null (as DumpJson does).
// (Integers need nothing special: StrAppend.)
void AppendJsonDouble(std::string* out, double v);

}  // namespace plinth
