// AdminService: the lockdown check every remote sign-in makes (the switch itself
// is SessionService::Lockdown). What second factor a sign-in owes is MfaService's.
#include "service/admin_service.h"

namespace coffer::service {

bool AdminService::LockedDown(store::Id user_id) {
  for (std::string key :
       {std::string("lockdown.all"), "lockdown.user." + std::to_string(user_id)}) {
    auto v = store_.GetSetting(key);
    // Fail closed: a setting that cannot be read (or whose MAC fails) locks.
    if (!v.ok()) return true;
    if (*v && **v == "1") return true;
  }
  return false;
}

}  // namespace coffer::service
