#include "service/defender.h"

#include <arpa/inet.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "service/operation.h"

namespace coffer::service {

namespace {

constexpr char kAllAddresses[] = "*";

struct Parsed {
  int family = 0;
  std::array<uint8_t, 16> bytes{};
  int prefix = 0;
};

Result<Parsed> ParseAddress(std::string_view text, bool allow_prefix) {
  if (text.size() > 64) return InvalidArgument("address is too long");
  std::string addr(text);
  int prefix = -1;
  if (auto slash = addr.find('/'); slash != std::string::npos) {
    if (!allow_prefix) return InvalidArgument("expected an address, not a network");
    std::string bits = addr.substr(slash + 1);
    addr.resize(slash);
    if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), ::isdigit)) {
      return InvalidArgument("bad prefix length in " + std::string(text));
    }
    prefix = std::stoi(bits);
  }
  Parsed p;
  if (inet_pton(AF_INET, addr.c_str(), p.bytes.data()) == 1) {
    p.family = AF_INET;
    p.prefix = prefix < 0 ? 32 : prefix;
    if (p.prefix > 32) return InvalidArgument("IPv4 prefix must be 0 to 32");
  } else if (inet_pton(AF_INET6, addr.c_str(), p.bytes.data()) == 1) {
    p.family = AF_INET6;
    p.prefix = prefix < 0 ? 128 : prefix;
    if (p.prefix > 128) return InvalidArgument("IPv6 prefix must be 0 to 128");
  } else {
    return InvalidArgument("not an IP address or network: " + std::string(text.substr(0, 64)));
  }
  return p;
}

void MaskTo(Parsed& p) {
  for (int bit = p.prefix; bit < 128; ++bit) p.bytes[bit / 8] &= ~(0x80 >> (bit % 8));
}

}  // namespace

Result<std::string> CanonicalNetwork(std::string_view text) {
  COFFER_ASSIGN_OR_RETURN(Parsed p, ParseAddress(text, true));
  MaskTo(p);
  char out[INET6_ADDRSTRLEN] = "";
  inet_ntop(p.family, p.bytes.data(), out, sizeof out);
  int full = p.family == AF_INET ? 32 : 128;
  return p.prefix == full ? std::string(out) : std::string(out) + "/" + std::to_string(p.prefix);
}

bool NetworkContains(std::string_view network, std::string_view address) {
  auto net = ParseAddress(network, true);
  auto addr = ParseAddress(address, false);
  if (!net.ok() || !addr.ok() || net->family != addr->family) return false;
  addr->prefix = net->prefix;
  MaskTo(*addr);
  MaskTo(*net);
  return net->bytes == addr->bytes;
}

Defender::Defender(const config::SecurityConfig& config, uint32_t fresh_seconds,
                   store::MetadataStore& store, ActivityLog& log)
    : config_(config), fresh_seconds_(fresh_seconds), store_(store), log_(log) {}

int Defender::RuleFor(std::string_view address) {
  auto rules = store_.ListIpRules();
  if (!rules.ok()) return 0;
  int verdict = 0;
  for (const auto& r : *rules) {
    if (!NetworkContains(r.network, address)) continue;
    if (!r.allow) return -1;  // deny wins
    verdict = 1;
  }
  return verdict;
}

Status Defender::CheckAddress(std::string_view address) {
  int rule = RuleFor(address);
  if (rule < 0) return PermissionDenied("address denied by rule");
  if (rule > 0) return Status::Ok();
  auto d = store_.GetAddressDefense(address);
  if (!d.ok()) return d.status();
  if (d->banned_until > Now()) return PermissionDenied("address banned");
  return Status::Ok();
}

void Defender::Record(const Context& c, Offence offence) {
  if (c.address.empty() || c.address == "local" || RuleFor(c.address) > 0) return;
  uint32_t points = offence == Offence::kFailedSignIn  ? config_.score_failed_sign_in
                    : offence == Offence::kUnknownUser ? config_.score_unknown_user
                                                       : config_.score_protocol_error;
  if (points == 0) return;
  const int64_t now = Now();
  int64_t banned_for = 0;
  store::AddressDefense d;
  Status st = store_.Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(d, store_.GetAddressDefense(c.address));
    if (d.banned_until > now) return Status::Ok();  // already banned
    const int64_t full = int64_t{config_.ban_score} * 1000;
    int64_t faded = (now - d.scored_at) * full / config_.score_window_seconds;
    d.score_milli = std::max<int64_t>(0, d.score_milli - std::max<int64_t>(faded, 0));
    d.score_milli += int64_t{points} * 1000;
    d.scored_at = now;
    if (d.score_milli >= full) {
      banned_for = std::min<int64_t>(int64_t{config_.ban_seconds} << std::min<int64_t>(d.bans, 20),
                                     config_.ban_max_seconds);
      ++d.bans;
      d.banned_until = now + banned_for;
      d.score_milli = 0;
    }
    return store_.PutAddressDefense(d);
  });
  if (!st.ok()) {
    spdlog::error("defender: could not score {}: {}", c.address, st.ToString());
    return;
  }
  if (banned_for > 0) {
    spdlog::warn("defender: banned {} for {} s (ban {})", c.address, banned_for, d.bans);
    Fact fact{"defender.ban", "", 0, 0, "", ""};
    fact.detail = c.address + " banned for " + std::to_string(banned_for) + " s (ban " +
                  std::to_string(d.bans) + ")";
    log_.Record(Principal::System(), c, fact, Status::Ok());
  }
}

Status Defender::CheckAccount(store::Id user_id, std::string_view address) {
  const int64_t now = Now();
  for (std::string_view where : {address, std::string_view(kAllAddresses)}) {
    COFFER_ASSIGN_OR_RETURN(auto f, store_.GetAccountFailures(user_id, where));
    if (f.locked_until > now) return Unauthenticated("account locked");
    if (where == kAllAddresses || f.failures == 0 || f.locked_until != 0) continue;
    int64_t delay = std::min<int64_t>(int64_t{1} << std::min<int64_t>(f.failures - 1, 30),
                                      config_.failure_delay_max_seconds);
    if (now < f.last_failure_at + delay) return Unauthenticated("too soon after a failure");
  }
  return Status::Ok();
}

Status Defender::LockAfterFailure(store::AccountFailures& f, int64_t threshold, int64_t now) {
  // A lock that has run out, or failures long past, start the count again.
  if ((f.locked_until != 0 && f.locked_until <= now) ||
      now - f.last_failure_at > int64_t{config_.lockout_seconds}) {
    f.failures = 0;
    f.locked_until = 0;
  }
  ++f.failures;
  f.last_failure_at = now;
  bool locks = f.locked_until == 0 && f.failures >= threshold;
  if (locks) f.locked_until = now + config_.lockout_seconds;
  COFFER_RETURN_IF_ERROR(store_.PutAccountFailures(f));
  return locks ? AlreadyExists("locked now") : Status::Ok();
}

void Defender::AccountFailed(const Context& c, store::Id user_id, std::string_view user_name) {
  const int64_t now = Now();
  std::vector<std::string> locked_for;
  Status st = store_.Transact([&]() -> Status {
    for (auto [where, threshold] :
         {std::pair{std::string_view(c.address), config_.lockout_failures},
          std::pair{std::string_view(kAllAddresses), config_.lockout_failures_total}}) {
      COFFER_ASSIGN_OR_RETURN(auto f, store_.GetAccountFailures(user_id, where));
      Status locked = LockAfterFailure(f, threshold, now);
      if (locked.code() == Code::kAlreadyExists) {
        locked_for.emplace_back(where == kAllAddresses ? "every address" : where);
      } else {
        COFFER_RETURN_IF_ERROR(locked);
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) spdlog::error("defender: could not count a failure: {}", st.ToString());
  for (const auto& where : locked_for) {
    spdlog::warn("defender: account {} locked for {} s from {}", user_name, config_.lockout_seconds,
                 where);
    Fact fact{"account.lock", "", user_id, 0, "", ""};
    fact.detail = std::string(user_name) + " locked from " + where + " for " +
                  std::to_string(config_.lockout_seconds) + " s";
    log_.Record(Principal::System(), c, fact, Status::Ok());
  }
}

void Defender::AccountSucceeded(store::Id user_id, std::string_view address) {
  Status st = store_.PutAccountFailures({user_id, std::string(address), 0, 0, 0});
  if (!st.ok()) spdlog::error("defender: could not reset failures: {}", st.ToString());
}

Result<std::vector<BanInfo>> Defender::ListBans(const Principal& p, const Context& c) {
  Operation op(log_, p, c, "defender.list", "");
  auto run = [&]() -> Result<std::vector<BanInfo>> {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    COFFER_ASSIGN_OR_RETURN(auto bans, store_.ListBans(Now(), 1000));
    std::vector<BanInfo> out;
    for (const auto& b : bans) out.push_back({b.address, b.banned_until, b.bans});
    return out;
  };
  return op.Finish(run());
}

Status Defender::Ban(const Principal& p, const Context& c, std::string_view address,
                     int64_t seconds) {
  Operation op(log_, p, c, "defender.ban", "");
  op.fact().detail = std::string(address.substr(0, 64));
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    COFFER_ASSIGN_OR_RETURN(std::string canonical, CanonicalNetwork(address));
    if (canonical.find('/') != std::string::npos) {
      return InvalidArgument("ban one address; use a deny rule for a network");
    }
    if (seconds <= 0 || seconds > int64_t{86400} * 365) {
      return InvalidArgument("ban length must be 1 s to 365 days");
    }
    return store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(auto d, store_.GetAddressDefense(canonical));
      d.banned_until = Now() + seconds;
      ++d.bans;
      COFFER_RETURN_IF_ERROR(store_.PutAddressDefense(d));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Status Defender::Unban(const Principal& p, const Context& c, std::string_view address) {
  Operation op(log_, p, c, "defender.unban", "");
  op.fact().detail = std::string(address.substr(0, 64));
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    COFFER_ASSIGN_OR_RETURN(std::string canonical, CanonicalNetwork(address));
    return store_.Transact([&]() -> Status {
      Status st = store_.DeleteAddressDefense(canonical);
      if (st.code() == Code::kNotFound) return NotFound("that address is not banned");
      COFFER_RETURN_IF_ERROR(st);
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Result<std::vector<IpRuleInfo>> Defender::ListRules(const Principal& p, const Context& c) {
  Operation op(log_, p, c, "iprule.list", "");
  auto run = [&]() -> Result<std::vector<IpRuleInfo>> {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    COFFER_ASSIGN_OR_RETURN(auto rules, store_.ListIpRules());
    std::vector<IpRuleInfo> out;
    for (const auto& r : rules) out.push_back({r.network, r.allow, r.comment, r.created_at});
    return out;
  };
  return op.Finish(run());
}

Status Defender::AddRule(const Principal& p, const Context& c, std::string_view network, bool allow,
                         std::string_view comment) {
  Operation op(log_, p, c, allow ? "iprule.allow" : "iprule.deny", "");
  op.fact().detail = std::string(network.substr(0, 64));
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    // An allow rule switches the defender off for those addresses.
    if (allow) COFFER_RETURN_IF_ERROR(RequireFreshSecondFactor(p, Now(), fresh_seconds_));
    COFFER_ASSIGN_OR_RETURN(std::string canonical, CanonicalNetwork(network));
    if (comment.size() > 256) return LimitExceeded("comment is over 256 bytes");
    return store_.Transact([&]() -> Status {
      auto id = store_.AddIpRule({0, canonical, allow, std::string(comment), Now()});
      if (id.status().code() == Code::kAlreadyExists) {
        return AlreadyExists("a rule for this network exists; remove it first");
      }
      COFFER_RETURN_IF_ERROR(id.status());
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Status Defender::RemoveRule(const Principal& p, const Context& c, std::string_view network) {
  Operation op(log_, p, c, "iprule.remove", "");
  op.fact().detail = std::string(network.substr(0, 64));
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    COFFER_ASSIGN_OR_RETURN(std::string canonical, CanonicalNetwork(network));
    return store_.Transact([&]() -> Status {
      COFFER_RETURN_IF_ERROR(store_.DeleteIpRule(canonical));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Status Defender::Unlock(const Principal& p, const Context& c, store::Id user_id,
                        std::string_view name) {
  Operation op(log_, p, c, "account.unlock", "");
  op.fact().object_id = user_id;
  op.fact().detail = std::string(name.substr(0, 64));
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    return store_.Transact([&]() -> Status {
      COFFER_RETURN_IF_ERROR(store_.ClearAccountFailures(user_id));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

}  // namespace coffer::service
