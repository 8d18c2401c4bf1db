// The web interface: GET and HEAD of "/" and of each embedded asset's exact
// path. Answers carry the web CSP (script, style, images, fonts and fetches
// from our origin only; no inline script or style, no eval), a year of
// immutable caching for content-hashed assets and no-store for the page.
#include <string>

#include "http/handlers.h"
#include "http/web_assets.h"

namespace coffer::http {

namespace {

// True when Accept-Encoding lists gzip without q=0.
bool AcceptsGzip(std::string_view header) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    size_t semi = item.find(';');
    std::string_view token = item.substr(0, semi);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token != "gzip") continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = item.substr(semi + 1);
    std::string compact;
    for (char c : params)
      if (c != ' ' && c != '\t') compact += c;
    return compact != "q=0" && compact != "q=0.0" && compact != "q=0.00" && compact != "q=0.000";
  }
  return false;
}

}  // namespace

Reply WebAssetReply(const Request& request) {
  std::string_view target = request.target;
  const WebAsset* asset = FindWebAsset(target.substr(0, target.find('?')));
  if (asset == nullptr) return Problem(404);
  Reply r;
  r.content_type = std::string(asset->content_type);
  // Only the hashed, static assets are compressed; the page is sent as is, so no
  // compressed answer ever sits next to a secret (BREACH).
  bool compressible = asset->immutable && !asset->gzip_body.empty();
  bool gzip = compressible && AcceptsGzip(request.Header("accept-encoding"));
  r.body = std::string(gzip ? asset->gzip_body : asset->body);
  r.headers.emplace_back("Content-Security-Policy", std::string(kWebContentSecurityPolicy));
  r.headers.emplace_back("Cache-Control",
                         asset->immutable ? "public, max-age=31536000, immutable" : "no-store");
  if (compressible) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  return r;
}

}  // namespace coffer::http
