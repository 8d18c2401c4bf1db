// The JSON shapes of docs/api.md (users, entries, activity records, permission
// names), written in one place so the API, the web interface and the CLI's
// --json output agree. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "service/admin_service.h"
#include "service/file_service.h"
#include "store/metadata_store.h"

namespace coffer::http {

// ["list", "read", ...] for a permission bit set, in a fixed order.
nlohmann::json PermsJson(uint32_t perms);
// The bit for one permission name ("list" ... "manage"); nullopt if unknown.
std::optional<uint32_t> PermBit(std::string_view name);
// The entry object; folders also carry quota_bytes.
nlohmann::json EntryJson(const service::EntryInfo& e);
nlohmann::json UserJson(const service::UserInfo& u);
// One activity record of a search (not the chained export format).
nlohmann::json ActivityRecordJson(const store::ActivityRecord& r);

}  // namespace coffer::http
