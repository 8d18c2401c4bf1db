// Query strings and cookies: exact, bounded parsing of request inputs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace coffer::http {

// The value of parameter `name` in the target's query string, percent-decoded
// ('+' is a space). nullopt when absent; "" when present without a value.
// A malformed escape or a decoded NUL makes the parameter absent.
std::optional<std::string> QueryParam(std::string_view target, std::string_view name);

// The value of cookie `name` in a Cookie header ("a=1; b=2"), as sent.
std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name);

}  // namespace coffer::http
