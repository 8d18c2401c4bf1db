// AdminService: reading the activity log.
#include "service/admin_service.h"
#include "service/operation.h"

namespace coffer::service {

Result<std::vector<store::ActivityRecord>> AdminService::ListActivity(
    const Principal& p, const Context& c, std::string_view user, store::Id before_id,
    size_t limit) {
  Operation op(activity_, p, c, "activity.list", std::string(user));
  auto run = [&]() -> Result<std::vector<store::ActivityRecord>> {
    store::ActivityFilter filter;
    filter.before_id = before_id;
    filter.limit = std::clamp<size_t>(limit, 1, config_.limits.max_page_size);
    if (!p.is_admin()) {
      if (!user.empty() && user != p.name) return PermissionDenied("you can see only your own activity");
      filter.actor_id = p.user_id;
    } else if (!user.empty()) {
      COFFER_ASSIGN_OR_RETURN(store::User u, FindUser(user));
      filter.actor_id = u.id;
    }
    return store_.ListActivity(filter);
  };
  return op.Finish(run());
}

}  // namespace coffer::service
