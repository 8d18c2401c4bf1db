// Schema migrations of the SQLite store (internal to store/).
#pragma once

#include "store/sqldb.h"

namespace coffer::store {

int64_t LatestSchemaVersion();
// Applies every pending migration; refuses a database newer than this code.
Status Migrate(Db& db);

}  // namespace coffer::store
