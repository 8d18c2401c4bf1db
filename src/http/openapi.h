// The OpenAPI 3.1 document of the REST API (api/openapi.json), built into the
// binary and served at GET /api/v1/openapi.json. A unit test holds it and the
// route table to each other: every route documented, every documented route real.
#pragma once

#include <string_view>

namespace coffer::http {

std::string_view OpenApiDocument();

}  // namespace coffer::http
