#include "http/web_assets.h"

namespace coffer::http {

const WebAsset* FindWebAsset(std::string_view path) {
  for (const WebAsset& a : WebAssets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

}  // namespace coffer::http
