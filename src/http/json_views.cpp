#include "http/json_views.h"

#include <array>
#include <utility>

#include "service/activity_csv.h"
#include "service/perms.h"

namespace coffer::http {

namespace {

constexpr std::array<std::pair<std::string_view, uint32_t>, 6> kPermNames = {{
    {"list", service::kList},
    {"read", service::kRead},
    {"write", service::kWrite},
    {"delete", service::kDelete},
    {"share", service::kShare},
    {"manage", service::kManage},
}};

}  // namespace

nlohmann::json PermsJson(uint32_t perms) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, bit] : kPermNames) {
    if (perms & bit) out.push_back(name);
  }
  return out;
}

std::optional<uint32_t> PermBit(std::string_view name) {
  for (const auto& [n, bit] : kPermNames) {
    if (n == name) return bit;
  }
  return std::nullopt;
}

nlohmann::json EntryJson(const service::EntryInfo& e) {
  nlohmann::json j = {{"id", e.id},
                      {"name", e.name},
                      {"path", e.path},
                      {"type", e.is_folder ? "folder" : "file"},
                      {"size", e.size},
                      {"sha256", e.is_folder ? "" : e.sha256_hex},
                      {"created_at", e.created_at},
                      {"modified_at", e.modified_at},
                      {"perms", PermsJson(e.perms)}};
  if (e.is_folder) j["quota_bytes"] = e.quota_bytes;
  if (e.deleted_at) j["deleted_at"] = *e.deleted_at;
  return j;
}

nlohmann::json UserJson(const service::UserInfo& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"display_name", u.display_name},
          {"admin", u.admin},
          {"disabled", u.disabled},
          {"must_change_password", u.must_change_password},
          {"quota_bytes", u.quota_bytes},
          {"used_bytes", u.used_bytes},
          {"created_at", u.created_at},
          {"groups", u.groups}};
}

nlohmann::json ActivityRecordJson(const store::ActivityRecord& r) {
  return {{"id", r.id},
          {"at", r.at_us / 1'000'000},
          {"at_us", r.at_us},
          {"time", service::IsoTimeUs(r.at_us)},
          {"actor", r.actor_name},
          {"protocol", r.protocol},
          {"address", r.address},
          {"session", r.session},
          {"action", r.action},
          {"path", r.path},
          {"object_id", r.object_id},
          {"result", r.result},
          {"detail", r.detail},
          {"bytes", r.bytes},
          {"sha256", r.sha256_hex}};
}

}  // namespace coffer::http
