// Helpers shared by the route handlers (internal to src/http): input parsing
// that refuses rather than guesses (the JSON shapes are in json_views.h).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "http/api.h"
#include "http/json_views.h"
#include "http/request_input.h"
#include "service/file_service.h"

namespace coffer::http {

// The request's JSON object body; nullopt (after setting *refusal) if it is not
// one, or nests deeper than a request ever needs.
std::optional<nlohmann::json> JsonObjectBody(const Request& r, Reply* refusal);
// A string member of `doc`; nullopt if absent or not a string.
std::optional<std::string> StringMember(const nlohmann::json& doc, const char* name);
// The query of the request; nullopt (after setting *refusal) if malformed.
std::optional<Query> QueryOf(const Request& r, Reply* refusal);

}  // namespace coffer::http
