// AdminService::ChangeOwnPassword: the self-service password change.
#include "service/admin_service.h"
#include "service/operation.h"
#include "service/passwords.h"

namespace coffer::service {

Status AdminService::ChangeOwnPassword(const Principal& p, const Context& c,
                                       std::string_view current, std::string_view chosen) {
  Operation op(activity_, p, c, "user.password.change", p.name);
  op.fact().object_id = p.user_id;
  auto run = [&]() -> Status {
    if (p.user_id == 0) return InvalidArgument("only a user has a password");
    COFFER_ASSIGN_OR_RETURN(store::User u, store_.GetUser(p.user_id));
    if (!VerifyPassword(u.password_hash, current, ParamsFrom(config_.accounts))) {
      defender_.AccountFailed(c, u.id, u.name);
      defender_.Record(c, Offence::kFailedSignIn);
      return Unauthenticated("the current password is wrong");
    }
    if (current == chosen)
      return InvalidArgument("the new password must differ from the current one");
    COFFER_RETURN_IF_ERROR(
        CheckPasswordPolicy(chosen, u.name, config_.accounts.min_password_length));
    COFFER_ASSIGN_OR_RETURN(u.password_hash, HashPassword(chosen, ParamsFrom(config_.accounts)));
    u.must_change_password = false;
    return store_.Transact([&]() -> Status {
      COFFER_RETURN_IF_ERROR(store_.UpdateUser(u));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

}  // namespace coffer::service
