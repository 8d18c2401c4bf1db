// SqliteRepo: users, groups and memberships (MAC'd rows), and opening the store.
#include "store/schema.h"
#include "store/sqlite_repo.h"

#include <spdlog/spdlog.h>

namespace coffer::store {

namespace {

constexpr char kUsersDomain[] = "users/v1";
constexpr char kGroupsDomain[] = "groups/v1";
constexpr char kMembershipsDomain[] = "memberships/v1";

std::vector<std::string> GroupFields(Id id, std::string_view name_key) {
  return {std::to_string(id), std::string(name_key)};
}
std::vector<std::string> MemberFields(Id group_id, Id user_id) {
  return {std::to_string(group_id), std::to_string(user_id)};
}

}  // namespace

Result<std::unique_ptr<MetadataStore>> OpenSqliteStore(const std::string& path,
                                                       const crypto::RowMac& mac,
                                                       SqliteOptions options) {
  COFFER_ASSIGN_OR_RETURN(auto db, Db::Open(path, options.busy_timeout_ms));
  COFFER_RETURN_IF_ERROR(Migrate(*db));
  return std::unique_ptr<MetadataStore>(new SqliteRepo(std::move(db), mac));
}

void SqliteRepo::SetIntegrityListener(IntegrityListener listener) {
  std::lock_guard lock(listener_mu_);
  listener_ = std::move(listener);
}

void SqliteRepo::Alert(const std::string& table, Id id, const std::string& detail) {
  spdlog::critical("integrity: {} row {}: {}", table, id, detail);
  IntegrityListener listener;
  {
    std::lock_guard lock(listener_mu_);
    listener = listener_;
  }
  // Called without listener_mu_ so the listener may itself use the store.
  if (listener) listener({table, id, detail});
}

Status SqliteRepo::ExpectChange(std::string_view what) {
  if (db_->Changes() == 0) return NotFound(std::string(what));
  return Status::Ok();
}

std::vector<std::string> SqliteRepo::UserFields(const User& u) const {
  std::vector<std::string> f = {std::to_string(u.id),
                                u.name_key,
                                std::to_string(static_cast<int>(u.role)),
                                u.disabled ? "1" : "0",
                                u.password_hash,
                                u.must_change_password ? "1" : "0",
                                std::to_string(u.quota_bytes)};
  if (u.mfa_enabled) f.push_back("mfa");
  return f;
}

bool SqliteRepo::CheckUser(const User& u, const std::string& mac) {
  if (mac_.Verify(kUsersDomain, UserFields(u), mac)) return true;
  Alert("users", u.id, "MAC mismatch: row forged or altered outside Coffer");
  return false;
}

// Columns: id, name, name_key, display_name, role, disabled, password_hash,
// must_change_password, quota_bytes, used_bytes, created_at, mac, mfa_enabled.
Result<std::optional<User>> SqliteRepo::ReadUser(Stmt& s) {
  User u;
  u.id = s.Int(0);
  u.name = s.Text(1);
  u.name_key = s.Text(2);
  u.display_name = s.Text(3);
  u.role = s.Int(4) == 1 ? Role::kAdmin : Role::kUser;
  u.disabled = s.Int(5) != 0;
  u.password_hash = s.Text(6);
  u.must_change_password = s.Int(7) != 0;
  u.quota_bytes = s.Int(8);
  u.used_bytes = s.Int(9);
  u.created_at = s.Int(10);
  u.mfa_enabled = s.Int(12) != 0;
  // An out-of-range role can never carry a valid MAC either.
  if (s.Int(4) != 0 && s.Int(4) != 1) {
    Alert("users", u.id, "invalid role value");
    return std::optional<User>();
  }
  if (!CheckUser(u, s.Text(11))) return std::optional<User>();
  return std::optional<User>(std::move(u));
}

Result<Id> SqliteRepo::CreateUser(const User& user) {
  Id id = 0;
  COFFER_RETURN_IF_ERROR(db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(
        auto s, db_->Prepare("INSERT INTO users (name, name_key, display_name, role, disabled,"
                             " password_hash, must_change_password, quota_bytes, created_at,"
                             " mfa_enabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    COFFER_RETURN_IF_ERROR(s->BindAll(user.name, user.name_key, user.display_name,
                                      int64_t{static_cast<int>(user.role)}, int64_t{user.disabled},
                                      user.password_hash, int64_t{user.must_change_password},
                                      user.quota_bytes, user.created_at, int64_t{user.mfa_enabled})
                               .Run());
    User stored = user;
    stored.id = id = db_->LastInsertId();
    COFFER_ASSIGN_OR_RETURN(auto m, db_->Prepare("UPDATE users SET mac = ? WHERE id = ?"));
    return m->BindAll(mac_.Compute(kUsersDomain, UserFields(stored)), id).Run();
  }));
  return id;
}

Result<User> SqliteRepo::GetUser(Id id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT id, name, name_key, display_name, role, disabled, password_hash,"
                            " must_change_password, quota_bytes, used_bytes, created_at, mac, mfa_enabled"
                           " FROM users WHERE id = ?"));
  s->Bind(id);
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFound("no such user");
  COFFER_ASSIGN_OR_RETURN(auto u, ReadUser(*s));
  if (!u) return NotFound("no such user");
  return std::move(*u);
}

Result<User> SqliteRepo::GetUserByName(std::string_view name_key) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT id, name, name_key, display_name, role, disabled, password_hash,"
                            " must_change_password, quota_bytes, used_bytes, created_at, mac, mfa_enabled"
                           " FROM users WHERE name_key = ?"));
  s->Bind(name_key);
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFound("no such user");
  COFFER_ASSIGN_OR_RETURN(auto u, ReadUser(*s));
  if (!u) return NotFound("no such user");
  return std::move(*u);
}

Result<std::vector<User>> SqliteRepo::ListUsers(std::string_view after_name_key, size_t limit) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT id, name, name_key, display_name, role, disabled, password_hash,"
                            " must_change_password, quota_bytes, used_bytes, created_at, mac, mfa_enabled"
                           " FROM users WHERE name_key > ? ORDER BY name_key LIMIT ?"));
  s->BindAll(after_name_key, ClampLimit(limit));
  std::vector<User> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    COFFER_ASSIGN_OR_RETURN(auto u, ReadUser(*s));
    if (u) out.push_back(std::move(*u));
  }
  return out;
}

Status SqliteRepo::UpdateUser(const User& user) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("UPDATE users SET name = ?, name_key = ?, display_name = ?, role = ?,"
                           " disabled = ?, password_hash = ?, must_change_password = ?,"
                           " quota_bytes = ?, mfa_enabled = ?, mac = ? WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(
      s->BindAll(user.name, user.name_key, user.display_name, int64_t{static_cast<int>(user.role)},
                 int64_t{user.disabled}, user.password_hash, int64_t{user.must_change_password},
                 user.quota_bytes, int64_t{user.mfa_enabled},
                 mac_.Compute(kUsersDomain, UserFields(user)), user.id)
          .Run());
  return ExpectChange("no such user");
}

Status SqliteRepo::AddUserUsedBytes(Id user_id, int64_t delta) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("UPDATE users SET used_bytes = used_bytes + ? WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(delta, user_id).Run());
  return ExpectChange("no such user");
}

Status SqliteRepo::DeleteUser(Id id) {
  return db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(auto m, db_->Prepare("DELETE FROM memberships WHERE user_id = ?"));
    COFFER_RETURN_IF_ERROR(m->Bind(id).Run());
    COFFER_ASSIGN_OR_RETURN(
        auto a, db_->Prepare("DELETE FROM acl WHERE subject_kind = 0 AND subject_id = ?"));
    COFFER_RETURN_IF_ERROR(a->Bind(id).Run());
    COFFER_ASSIGN_OR_RETURN(auto u, db_->Prepare("DELETE FROM users WHERE id = ?"));
    COFFER_RETURN_IF_ERROR(u->Bind(id).Run());
    return ExpectChange("no such user");
  });
}

Result<Id> SqliteRepo::CreateGroup(const Group& group) {
  Id id = 0;
  COFFER_RETURN_IF_ERROR(db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(
        auto s,
        db_->Prepare("INSERT INTO user_groups (name, name_key, created_at) VALUES (?, ?, ?)"));
    COFFER_RETURN_IF_ERROR(s->BindAll(group.name, group.name_key, group.created_at).Run());
    id = db_->LastInsertId();
    COFFER_ASSIGN_OR_RETURN(auto m, db_->Prepare("UPDATE user_groups SET mac = ? WHERE id = ?"));
    return m->BindAll(mac_.Compute(kGroupsDomain, GroupFields(id, group.name_key)), id).Run();
  }));
  return id;
}

namespace {
Result<std::vector<Group>> ReadGroups(Stmt& s, const crypto::RowMac& mac,
                                      const std::function<void(Id)>& alert) {
  std::vector<Group> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    Group g{s.Int(0), s.Text(1), s.Text(2), s.Int(3)};
    if (mac.Verify(kGroupsDomain, GroupFields(g.id, g.name_key), s.Text(4))) {
      out.push_back(std::move(g));
    } else {
      alert(g.id);
    }
  }
}
}  // namespace

Result<Group> SqliteRepo::GetGroupByName(std::string_view name_key) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT id, name, name_key, created_at, mac"
                                               " FROM user_groups WHERE name_key = ?"));
  s->Bind(name_key);
  COFFER_ASSIGN_OR_RETURN(auto groups, ReadGroups(*s, mac_, [this](Id id) {
                            Alert("user_groups", id,
                                  "MAC mismatch: row forged or altered outside Coffer");
                          }));
  if (groups.empty()) return NotFound("no such group");
  return groups.front();
}

Result<Group> SqliteRepo::GetGroup(Id id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT id, name, name_key, created_at, mac"
                                               " FROM user_groups WHERE id = ?"));
  s->Bind(id);
  COFFER_ASSIGN_OR_RETURN(auto groups, ReadGroups(*s, mac_, [this](Id gid) {
                            Alert("user_groups", gid,
                                  "MAC mismatch: row forged or altered outside Coffer");
                          }));
  if (groups.empty()) return NotFound("no such group");
  return groups.front();
}

Result<std::vector<Group>> SqliteRepo::ListGroups() {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT id, name, name_key, created_at, mac"
                                               " FROM user_groups ORDER BY name_key LIMIT 10000"));
  return ReadGroups(*s, mac_, [this](Id id) {
    Alert("user_groups", id, "MAC mismatch: row forged or altered outside Coffer");
  });
}

Status SqliteRepo::DeleteGroup(Id id) {
  return db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(auto m, db_->Prepare("DELETE FROM memberships WHERE group_id = ?"));
    COFFER_RETURN_IF_ERROR(m->Bind(id).Run());
    COFFER_ASSIGN_OR_RETURN(
        auto a, db_->Prepare("DELETE FROM acl WHERE subject_kind = 1 AND subject_id = ?"));
    COFFER_RETURN_IF_ERROR(a->Bind(id).Run());
    COFFER_ASSIGN_OR_RETURN(auto g, db_->Prepare("DELETE FROM user_groups WHERE id = ?"));
    COFFER_RETURN_IF_ERROR(g->Bind(id).Run());
    return ExpectChange("no such group");
  });
}

Status SqliteRepo::AddMember(Id group_id, Id user_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("INSERT INTO memberships (group_id, user_id, mac) VALUES (?, ?, ?)"));
  return s
      ->BindAll(group_id, user_id,
                mac_.Compute(kMembershipsDomain, MemberFields(group_id, user_id)))
      .Run();
}

Status SqliteRepo::RemoveMember(Id group_id, Id user_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("DELETE FROM memberships WHERE group_id = ? AND user_id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(group_id, user_id).Run());
  return ExpectChange("not a member");
}

Result<std::vector<Id>> SqliteRepo::ListGroupIdsOfUser(Id user_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("SELECT group_id, user_id, mac, rowid FROM memberships"
                                       " WHERE user_id = ? ORDER BY group_id LIMIT 10000"));
  s->Bind(user_id);
  std::vector<Id> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return out;
    if (mac_.Verify(kMembershipsDomain, MemberFields(s->Int(0), s->Int(1)), s->Text(2))) {
      out.push_back(s->Int(0));
    } else {
      Alert("memberships", s->Int(3), "MAC mismatch: row forged or altered outside Coffer");
    }
  }
}

Result<std::vector<Id>> SqliteRepo::ListMemberIds(Id group_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("SELECT group_id, user_id, mac, rowid FROM memberships"
                                       " WHERE group_id = ? ORDER BY user_id LIMIT 100000"));
  s->Bind(group_id);
  std::vector<Id> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return out;
    if (mac_.Verify(kMembershipsDomain, MemberFields(s->Int(0), s->Int(1)), s->Text(2))) {
      out.push_back(s->Int(1));
    } else {
      Alert("memberships", s->Int(3), "MAC mismatch: row forged or altered outside Coffer");
    }
  }
}

}  // namespace coffer::store
