// Cookies: exact parsing of the Cookie header (query strings: request_input.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace coffer::http {

// The value of cookie `name` in a Cookie header ("a=1; b=2"), as sent.
std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name);

}  // namespace coffer::http
