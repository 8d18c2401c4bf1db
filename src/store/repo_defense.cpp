// SqliteRepo: sign-in defence — failures per account and address, scores and
// bans per address, and administrators' IP rules (MAC'd).
#include "store/sqlite_repo.h"

namespace coffer::store {

namespace {

constexpr char kIpRulesDomain[] = "ip_rules/v1";

std::vector<std::string> RuleFields(const IpRule& r) {
  return {std::to_string(r.id), r.network, r.allow ? "1" : "0"};
}

}  // namespace

Result<AccountFailures> SqliteRepo::GetAccountFailures(Id user_id, std::string_view address) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT failures, last_failure_at, locked_until FROM account_failures"
                           " WHERE user_id = ? AND address = ?"));
  s->BindAll(user_id, address);
  AccountFailures f{user_id, std::string(address), 0, 0, 0};
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (row) {
    f.failures = s->Int(0);
    f.last_failure_at = s->Int(1);
    f.locked_until = s->Int(2);
  }
  return f;
}

Status SqliteRepo::PutAccountFailures(const AccountFailures& f) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("INSERT OR REPLACE INTO account_failures (user_id, address, failures,"
                           " last_failure_at, locked_until) VALUES (?, ?, ?, ?, ?)"));
  return s->BindAll(f.user_id, f.address, f.failures, f.last_failure_at, f.locked_until).Run();
}

Status SqliteRepo::ClearAccountFailures(Id user_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM account_failures WHERE user_id = ?"));
  return s->Bind(user_id).Run();
}

Result<AddressDefense> SqliteRepo::GetAddressDefense(std::string_view address) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT score_milli, scored_at, bans, banned_until FROM address_defense"
                           " WHERE address = ?"));
  s->Bind(address);
  AddressDefense d{std::string(address), 0, 0, 0, 0};
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (row) {
    d.score_milli = s->Int(0);
    d.scored_at = s->Int(1);
    d.bans = s->Int(2);
    d.banned_until = s->Int(3);
  }
  return d;
}

Status SqliteRepo::PutAddressDefense(const AddressDefense& d) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("INSERT OR REPLACE INTO address_defense (address, score_milli,"
                           " scored_at, bans, banned_until) VALUES (?, ?, ?, ?, ?)"));
  return s->BindAll(d.address, d.score_milli, d.scored_at, d.bans, d.banned_until).Run();
}

Status SqliteRepo::DeleteAddressDefense(std::string_view address) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM address_defense WHERE address = ?"));
  COFFER_RETURN_IF_ERROR(s->Bind(address).Run());
  return ExpectChange("no such address");
}

Result<std::vector<AddressDefense>> SqliteRepo::ListBans(int64_t now, size_t limit) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("SELECT address, score_milli, scored_at, bans, banned_until"
                                       " FROM address_defense WHERE banned_until > ?"
                                       " ORDER BY banned_until DESC LIMIT ?"));
  s->BindAll(now, ClampLimit(limit));
  std::vector<AddressDefense> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    out.push_back({s->Text(0), s->Int(1), s->Int(2), s->Int(3), s->Int(4)});
  }
  return out;
}

Result<Id> SqliteRepo::AddIpRule(const IpRule& rule) {
  Id id = 0;
  COFFER_RETURN_IF_ERROR(db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(
        auto s, db_->Prepare("INSERT INTO ip_rules (network, allow, comment, created_at)"
                             " VALUES (?, ?, ?, ?)"));
    COFFER_RETURN_IF_ERROR(
        s->BindAll(rule.network, int64_t{rule.allow}, rule.comment, rule.created_at).Run());
    IpRule stored = rule;
    stored.id = id = db_->LastInsertId();
    COFFER_ASSIGN_OR_RETURN(auto m, db_->Prepare("UPDATE ip_rules SET mac = ? WHERE id = ?"));
    return m->BindAll(mac_.Compute(kIpRulesDomain, RuleFields(stored)), id).Run();
  }));
  return id;
}

Result<std::vector<IpRule>> SqliteRepo::ListIpRules() {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT id, network, allow, comment, created_at, mac FROM ip_rules"
                           " ORDER BY id LIMIT 10000"));
  std::vector<IpRule> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    IpRule r{s->Int(0), s->Text(1), s->Int(2) == 1, s->Text(3), s->Int(4)};
    if (!mac_.Verify(kIpRulesDomain, RuleFields(r), s->Text(5))) {
      Alert("ip_rules", r.id, "MAC mismatch: row forged or altered outside Coffer");
      continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

Status SqliteRepo::DeleteIpRule(std::string_view network) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM ip_rules WHERE network = ?"));
  COFFER_RETURN_IF_ERROR(s->Bind(network).Run());
  return ExpectChange("no such rule");
}

}  // namespace coffer::store
