// Status helpers on top of absl::Status / absl::StatusOr.
//
// Errors are values (DESIGN.md convention 1). These macros keep call sites short:
//   PLINTH_RETURN_IF_ERROR(DoThing());
//   PLINTH_ASSIGN_OR_RETURN(auto value, ComputeValue());
// Thread-safety: stateless.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "plinth/base/strings.h"

#define PLINTH_STATUS_CONCAT_INNER(a, b) a##b
#define PLINTH_STATUS_CONCAT(a, b) PLINTH_STATUS_CONCAT_INNER(a, b)

#define PLINTH_RETURN_IF_ERROR(expr)         \
  do {                                       \
    ::absl::Status plinth_status_ = (expr);  \
    if (!plinth_status_.ok()) return plinth_status_; \
  } while (0)

#define PLINTH_ASSIGN_OR_RETURN(lhs, expr) \
  PLINTH_ASSIGN_OR_RETURN_IMPL(PLINTH_STATUS_CONCAT(plinth_statusor_, __LINE__), lhs, expr)

#define PLINTH_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();     \
  lhs = std::move(tmp).value()
