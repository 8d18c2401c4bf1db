// The web interface's files, embedded in the binary at build time.
//
// CMake builds web/ with Vite and src/http/embed_web.py turns the output into a
// generated source that defines WebAssets(): index.html at "/" and every other
// file at its exact path ("/assets/index-<hash>.js"). Nothing is read from disk
// at run time. The router serves exactly these paths (GET and HEAD); the
// SPA routes after '#', so there is no catch-all (docs/web.md).
#pragma once

#include <span>
#include <string_view>

namespace coffer::http {

struct WebAsset {
  std::string_view path;          // "/" or "/assets/<name>.<hash>.<ext>"
  std::string_view content_type;  // chosen from the extension at build time
  std::string_view body;
  std::string_view gzip_body;  // the same bytes gzip-compressed, or empty
  bool immutable;              // content-hashed name: cached for a year
};

// Every embedded file; empty in builds without the web interface.
std::span<const WebAsset> WebAssets();

// The asset served at exactly `path`, or nullptr.
const WebAsset* FindWebAsset(std::string_view path);

// The Content-Security-Policy of the web interface's responses.
inline constexpr std::string_view kWebContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

}  // namespace coffer::http
