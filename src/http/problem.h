// Problem responses (RFC 9457 application/problem+json) and the one table that
// maps service error codes to HTTP statuses.
//
// Contract: a problem body never carries client input, SQL, file-system paths,
// stack traces or errno text. Its `title` comes from a fixed table keyed by
// status; `detail` is only ever a constant chosen by the front-end. Service
// messages are logged, never sent, because some name objects the caller may not
// know exist.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace coffer::http {

// The HTTP status for a service error code. kOk maps to 200.
int HttpStatusFor(Code code);

// The fixed reason phrase used as a problem's title ("Not Found").
std::string_view TitleFor(int status);

// The JSON body of a problem with `status`; `detail` must be a constant.
std::string ProblemBody(int status, std::string_view detail = {});

inline constexpr std::string_view kProblemContentType = "application/problem+json";

}  // namespace coffer::http
