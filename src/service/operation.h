// Operation: the boundary of one service call (internal to service/).
//
// It owns the call's activity fact. A change appends its record inside its
// transaction with AppendInTx(); Finish() then publishes the event if the change
// committed, or records the failure on its own if it did not (the transaction
// rolled the first record back). Calls that change nothing are recorded by
// Finish(). "Hidden" outcomes become kNotFound for the caller here, and only here,
// while the record says what really happened.
#pragma once

#include <optional>
#include <string>

#include "service/activity.h"
#include "service/resolver.h"

namespace coffer::service {

inline Status RequireAdmin(const Principal& p) {
  if (!p.is_admin()) return PermissionDenied("administrators only");
  return Status::Ok();
}

// Sensitive admin actions (creating or promoting an administrator, granting
// "manage", changing security settings, resetting a second factor) need a
// second factor verified within `fresh_seconds`; the local CLI's system
// principal is exempt (whoever runs it already holds the data directory).
inline Status RequireFreshSecondFactor(const Principal& p, int64_t now_seconds,
                                       uint32_t fresh_seconds) {
  if (p.auth == AuthMethod::kSystem && p.user_id == 0) return Status::Ok();
  if (p.mfa_at > 0 && now_seconds - p.mfa_at <= int64_t{fresh_seconds} &&
      p.mfa_at <= now_seconds + 60) {
    return Status::Ok();
  }
  return PermissionDenied(std::string(kFreshSecondFactorNeeded));
}

class Operation {
 public:
  Operation(ActivityLog& log, const Principal& p, const Context& c, std::string action,
            std::string path)
      : log_(log), principal_(p), context_(c) {
    fact_.action = std::move(action);
    fact_.path = std::move(path);
  }

  Fact& fact() { return fact_; }
  const Principal& principal() const { return principal_; }
  const Context& context() const { return context_; }
  int64_t NowUs() const { return log_.NowUs(); }
  int64_t NowSeconds() const { return log_.NowUs() / 1000000; }

  Status AppendInTx() {
    COFFER_ASSIGN_OR_RETURN(pending_, log_.Append(principal_, context_, fact_, "ok"));
    return Status::Ok();
  }

  Status Finish(Status st) {
    if (st.ok() && pending_) {
      log_.Publish(*pending_);
    } else if (IsHidden(st)) {
      fact_.detail = std::string(kHiddenMessage);
      log_.Record(principal_, context_, fact_, st);
      st = NotFound("no such file or folder");
    } else {
      log_.Record(principal_, context_, fact_, st);
    }
    log_.Flush();
    return st;
  }

  template <typename T>
  Result<T> Finish(Result<T> r) {
    Status st = Finish(r.ok() ? Status::Ok() : r.status());
    if (!st.ok()) return st;
    return r;
  }

 private:
  ActivityLog& log_;
  const Principal& principal_;
  const Context& context_;
  Fact fact_;
  std::optional<events::Event> pending_;
};

}  // namespace coffer::service
