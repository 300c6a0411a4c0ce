// The HTTP status a Status code answers with: one mapping for the server's responses and for
// whatever must tell a caller's mistake (4xx) from a failure of the server (5xx), such as the
// serving layer's metrics.
// Thread-safety: pure function.
#pragma once

#include "absl/status/status.h"

namespace plinth {

int HttpStatusFor(absl::StatusCode code);

}  // namespace plinth
