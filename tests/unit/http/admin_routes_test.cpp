// The administration and SSH key routes through Api, with the real services on a
// temporary data store. A test Authenticator names the caller (a real user) and
// the token's scopes in two request headers; everything after identification is
// the production path: route table, scope check, handler, service.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>

#include "http/api.h"
#include "service/service_fixture.h"
#include "service/sessions.h"

namespace coffer::http {
namespace {

using nlohmann::json;
using service::testing::ServiceTest;

constexpr char kKey[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGj8TkTnZyewINYb4NolqpRJI3ZI5Furganx7zmWrd5K alice@laptop";
constexpr char kKeyFingerprint[] = "SHA256:J0Onj5rTU11Fp30oX7tIGs5ExcPyGkxOB+m6U8gdvqc";

// x-test-user: the caller's name; x-test-scopes: "rwa" letters (default: all).
class HeaderAuthenticator : public Authenticator {
 public:
  explicit HeaderAuthenticator(service::AdminService& admin) : admin_(admin) {}
  Result<Caller> Identify(const Request& request, Method) const override {
    std::string name(request.Header("x-test-user"));
    if (name.empty()) return Unauthenticated("sign-in required");
    COFFER_ASSIGN_OR_RETURN(service::Principal p, admin_.PrincipalFor(name));
    Caller c;
    c.principal = std::move(p);
    c.context = {"https", request.remote_address, "test-token"};
    std::string scopes = request.Header("x-test-scopes").empty()
                             ? "rwa"
                             : std::string(request.Header("x-test-scopes"));
    if (scopes.find('r') != std::string::npos) c.scopes |= static_cast<unsigned>(Scope::kRead);
    if (scopes.find('w') != std::string::npos) c.scopes |= static_cast<unsigned>(Scope::kWrite);
    if (scopes.find('a') != std::string::npos) c.scopes |= static_cast<unsigned>(Scope::kAdmin);
    return c;
  }

 private:
  service::AdminService& admin_;
};

class AdminRoutesTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    auth_ = std::make_unique<HeaderAuthenticator>(*admin_);
    sessions_ = std::make_unique<service::SessionService>(config_, *store_, *activity_, *admin_);
    api_ = std::make_unique<Api>(ApiServices{*files_, *admin_, *auth_, *sessions_});
    service::NewUser root;
    root.name = "root";
    root.admin = true;
    root.password = std::string(service::testing::kPassword);
    ASSERT_TRUE(admin_->CreateUser(system_, ctx_, root).ok());
    AddUser("alice");
  }

  Reply Send(const Api& api, const std::string& as, const std::string& method,
             const std::string& target, const std::string& body = "",
             const std::string& scopes = "") {
    Request r{method, target, "192.0.2.1", {}, body};
    if (!as.empty()) r.headers.emplace_back("x-test-user", as);
    if (!scopes.empty()) r.headers.emplace_back("x-test-scopes", scopes);
    if (!body.empty()) r.headers.emplace_back("content-type", "application/json");
    return api.Handle(r);
  }
  Reply Send(const std::string& as, const std::string& method, const std::string& target,
             const std::string& body = "", const std::string& scopes = "") {
    return Send(*api_, as, method, target, body, scopes);
  }
  Reply Admin(const std::string& method, const std::string& target, const std::string& body = "") {
    return Send("root", method, target, body);
  }
  static json Body(const Reply& r) { return json::parse(r.body); }
  static std::string Detail(const Reply& r) { return Body(r).value("detail", ""); }

  std::vector<std::string> UserNames() {
    std::vector<std::string> names;
    auto users = admin_->ListUsers(system_, ctx_);
    EXPECT_TRUE(users.ok());
    for (const auto& u : *users) names.push_back(u.name);
    return names;
  }

  void TearDown() override {
    api_.reset();
    sessions_.reset();
    ServiceTest::TearDown();
  }

  std::unique_ptr<HeaderAuthenticator> auth_;
  std::unique_ptr<service::SessionService> sessions_;
  std::unique_ptr<Api> api_;
};

TEST_F(AdminRoutesTest, AdministratorManagesAUserFromCreationToDeletion) {
  Reply created = Admin("POST", "/api/v1/admin/users",
                        R"({"name": "bob", "display_name": "Bob B", "quota_bytes": 1000})");
  ASSERT_EQ(created.status, 201) << created.body;
  json doc = Body(created);
  EXPECT_EQ(doc["user"]["name"], "bob");
  EXPECT_EQ(doc["user"]["display_name"], "Bob B");
  EXPECT_EQ(doc["user"]["admin"], false);
  EXPECT_EQ(doc["user"]["must_change_password"], true);
  EXPECT_EQ(doc["user"]["quota_bytes"], 1000);
  std::string password = doc["generated_password"];
  EXPECT_EQ(password.size(), 20u);
  EXPECT_TRUE(admin_->Authenticate(ctx_, "bob", password).ok());
  // Shown once: the user as read back carries no password.
  Reply got = Admin("GET", "/api/v1/admin/user?name=bob");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body.find(password), std::string::npos);
  EXPECT_FALSE(Body(got).contains("generated_password"));

  Reply list = Admin("GET", "/api/v1/admin/users");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Body(list)["items"].size(), 3u);
  EXPECT_EQ(Body(list)["next_cursor"], "");

  Reply patched =
      Admin("PATCH", "/api/v1/admin/user?name=bob", R"({"disabled": true, "quota_bytes": 5000})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Body(patched)["disabled"], true);
  EXPECT_EQ(Body(patched)["quota_bytes"], 5000);
  EXPECT_FALSE(admin_->Authenticate(ctx_, "bob", password).ok());
  ASSERT_EQ(Admin("PATCH", "/api/v1/admin/user?name=bob", R"({"disabled": false})").status, 200);

  Reply reset = Admin("POST", "/api/v1/admin/user/password?name=bob", "");
  ASSERT_EQ(reset.status, 200) << reset.body;
  std::string again = Body(reset)["generated_password"];
  EXPECT_EQ(again.size(), 20u);
  EXPECT_EQ(Body(reset)["must_change_password"], true);
  // The refused sign-in above left a delay on the account; unlocking lifts it.
  EXPECT_EQ(admin_->Authenticate(ctx_, "bob", again).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(Admin("POST", "/api/v1/admin/user/unlock?name=bob").status, 204);
  EXPECT_TRUE(admin_->Authenticate(ctx_, "bob", again).ok());
  Reply chosen = Admin("POST", "/api/v1/admin/user/password?name=bob",
                       R"({"password": "a chosen long secret", "must_change": false})");
  ASSERT_EQ(chosen.status, 200) << chosen.body;
  EXPECT_EQ(Body(chosen)["generated_password"], "");
  EXPECT_FALSE(store_->GetUserByName("bob")->must_change_password);

  EXPECT_EQ(Admin("DELETE", "/api/v1/admin/user?name=bob").status, 204);
  EXPECT_EQ(Admin("GET", "/api/v1/admin/user?name=bob").status, 404);
  EXPECT_EQ(Admin("DELETE", "/api/v1/admin/user?name=bob").status, 404);
}

TEST_F(AdminRoutesTest, NonAdministratorsAndTokensWithoutTheAdminScopeAreRefused) {
  Folder("/X");
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/api/v1/admin/users"},
      {"POST", "/api/v1/admin/users"},
      {"GET", "/api/v1/admin/user?name=root"},
      {"PATCH", "/api/v1/admin/user?name=root"},
      {"DELETE", "/api/v1/admin/user?name=root"},
      {"POST", "/api/v1/admin/user/password?name=root"},
      {"POST", "/api/v1/admin/user/unlock?name=root"},
      {"GET", "/api/v1/admin/groups"},
      {"POST", "/api/v1/admin/groups"},
      {"DELETE", "/api/v1/admin/group?name=g"},
      {"POST", "/api/v1/admin/group/members?group=g&user=alice"},
      {"DELETE", "/api/v1/admin/group/members?group=g&user=alice"},
      {"POST", "/api/v1/admin/folders"},
      {"PATCH", "/api/v1/admin/folder?path=/X"},
      {"GET", "/api/v1/admin/bans"},
      {"POST", "/api/v1/admin/bans"},
      {"DELETE", "/api/v1/admin/bans?address=192.0.2.9"},
      {"GET", "/api/v1/admin/ip-rules"},
      {"POST", "/api/v1/admin/ip-rules"},
      {"DELETE", "/api/v1/admin/ip-rules?cidr=192.0.2.0/24"},
  };
  const std::map<std::string, std::string> bodies = {
      {"/api/v1/admin/users",
       R"({"name": "evil", "admin": true, "password": "a long evil secret"})"},
      {"/api/v1/admin/user?name=root", R"({"disabled": true})"},
      {"/api/v1/admin/user/password?name=root", R"({"password": "taken over by alice"})"},
      {"/api/v1/admin/groups", R"({"name": "g"})"},
      {"/api/v1/admin/folders", R"({"path": "/X"})"},
      {"/api/v1/admin/folder?path=/X", R"({"quota_bytes": 1})"},
      {"/api/v1/admin/bans", R"({"address": "192.0.2.9", "minutes": 5})"},
      {"/api/v1/admin/ip-rules", R"({"cidr": "0.0.0.0/0", "action": "deny"})"},
  };
  for (const auto& [method, target] : routes) {
    auto b = bodies.find(target);
    std::string body = b == bodies.end() || method == "GET" || method == "DELETE" ? "" : b->second;
    // A user who is not an administrator, with a session's full scopes: the service refuses.
    // (A folder the user cannot see is not found, as for any path of theirs.)
    Reply user = Send("alice", method, target, body);
    EXPECT_EQ(user.status, target.find("/admin/folder?") != std::string::npos ? 404 : 403)
        << method << " " << target << " " << user.body;
    // An administrator whose token lacks the admin scope: the route refuses.
    Reply scoped = Send("root", method, target, body, "rw");
    EXPECT_EQ(scoped.status, 403) << method << " " << target;
    // Nobody signed in.
    EXPECT_EQ(Send("", method, target, body).status, 401) << method << " " << target;
  }
  EXPECT_EQ(UserNames(), (std::vector<std::string>{"alice", "root"}));
  EXPECT_FALSE(store_->GetUserByName("root")->disabled);
  EXPECT_TRUE(admin_->Authenticate(ctx_, "root", service::testing::kPassword).ok());
  EXPECT_TRUE(admin_->ListGroups(system_, ctx_)->empty());
  EXPECT_TRUE(admin_->defender().ListRules(system_, ctx_)->empty());
  EXPECT_TRUE(admin_->defender().ListBans(system_, ctx_)->empty());
  EXPECT_EQ(files_->Stat(system_, ctx_, "/X")->quota_bytes, 0);
  EXPECT_EQ(Names(system_, "/"), std::vector<std::string>{"X"});
}

TEST_F(AdminRoutesTest, BadInputIsRefusedWithAConstantDetailAndChangesNothing) {
  struct Case {
    std::string method, target, body;
    int status;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"POST", "/api/v1/admin/users", R"({"name": "x1", "quota": 5})", 400,
       "the body has an unknown field"},
      {"POST", "/api/v1/admin/users", R"({"name": 7})", 400, "name must be a string"},
      {"POST", "/api/v1/admin/users", R"({"display_name": "x"})", 400, "the body needs a name"},
      {"POST", "/api/v1/admin/users", R"({"name": "x2", "quota_bytes": -1})", 400,
       "quota_bytes must be an integer of 0 or more"},
      {"POST", "/api/v1/admin/users", R"({"name": "x3", "quota_bytes": 1.5})", 400,
       "quota_bytes must be an integer of 0 or more"},
      {"POST", "/api/v1/admin/users", R"({"name": "x4", "quota_bytes": 18446744073709551615})", 400,
       "quota_bytes must be an integer of 0 or more"},
      {"POST", "/api/v1/admin/users", R"({"name": "x5", "admin": "yes"})", 400,
       "admin must be true or false"},
      {"POST", "/api/v1/admin/users", R"({"name": "x6")", 400, "the body is not valid JSON"},
      {"POST", "/api/v1/admin/users", R"(["x7"])", 400, "the body must be a JSON object"},
      {"POST", "/api/v1/admin/users", R"({"name": "<script>x</script>"})", 400,
       "refused: check the name, display name and password rules (docs/access.md)"},
      {"POST", "/api/v1/admin/users", R"({"name": "x8", "password": "short"})", 400,
       "refused: check the name, display name and password rules (docs/access.md)"},
      {"PATCH", "/api/v1/admin/user?name=alice", R"({})", 400,
       "the body needs disabled or quota_bytes"},
      {"PATCH", "/api/v1/admin/user?name=alice", R"({"disabled": true, "quota_bytes": -5})", 400,
       "quota_bytes must be an integer of 0 or more"},
      {"PATCH", "/api/v1/admin/user?name=root", R"({"disabled": true, "quota_bytes": 5})", 400,
       "refused: not a valid user name, or you cannot disable yourself"},
      {"PATCH", "/api/v1/admin/user", R"({"disabled": true})", 400, "the query needs name="},
      {"PATCH", "/api/v1/admin/user?name=alice&name=root", R"({"disabled": true})", 400,
       "a query parameter is repeated"},
      {"PATCH", "/api/v1/admin/user?name=alice&x=1", R"({"disabled": true})", 400,
       "unknown query parameter"},
      {"GET", "/api/v1/admin/user?name=%zz", "", 400,
       "the query string has a malformed percent-escape"},
      {"GET", "/api/v1/admin/user?name=a%00b", "", 400, "the query string must not contain NUL"},
      {"POST", "/api/v1/admin/user/password?name=alice", R"({"must_change": false})", 400,
       "a generated password must be changed at first sign-in"},
      {"POST", "/api/v1/admin/folders", R"({"path": "/../etc"})", 400,
       "refused: not a valid folder path, or it exists"},
      {"PUT", "/api/v1/admin/grants", R"({"path": "/", "subject": "alice", "perms": ["root"]})",
       400, "perms must be a list of: list, read, write, delete, share, manage"},
      {"PUT", "/api/v1/admin/grants", R"({"path": "/", "subject": "alice", "perms": "read"})", 400,
       "perms must be a list of: list, read, write, delete, share, manage"},
      {"POST", "/api/v1/admin/bans", R"({"address": "192.0.2.9", "minutes": 0})", 400,
       "minutes must be an integer from 1 to 525600"},
      {"POST", "/api/v1/admin/bans", R"({"address": "192.0.2.9", "minutes": 525601})", 400,
       "minutes must be an integer from 1 to 525600"},
      {"POST", "/api/v1/admin/bans", R"({"address": "192.0.2.0/24", "minutes": 5})", 400,
       "address must be one IP address (use a deny rule for a network)"},
      {"POST", "/api/v1/admin/ip-rules", R"({"cidr": "192.0.2.0/33", "action": "deny"})", 400,
       "cidr must be an IP address or network, e.g. 192.0.2.0/24"},
      {"POST", "/api/v1/admin/ip-rules", R"({"cidr": "192.0.2.0/24", "action": "block"})", 400,
       "action must be allow or deny"},
  };
  for (const auto& c : cases) {
    Reply r = Admin(c.method, c.target, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << " " << c.body;
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_EQ(Detail(r), c.detail) << c.method << " " << c.target << " " << c.body;
    EXPECT_EQ(r.body.find("script"), std::string::npos);
  }
  // A body that is not declared JSON.
  Request plain{"POST",
                "/api/v1/admin/groups",
                "192.0.2.1",
                {{"x-test-user", "root"}, {"content-type", "text/plain"}},
                R"({"name": "g"})"};
  EXPECT_EQ(api_->Handle(plain).status, 415);
  EXPECT_EQ(UserNames(), (std::vector<std::string>{"alice", "root"}));
  auto alice = store_->GetUserByName("alice");
  EXPECT_FALSE(alice->disabled);
  EXPECT_EQ(alice->quota_bytes, 0);
  EXPECT_EQ(store_->GetUserByName("root")->quota_bytes, 0);
  EXPECT_FALSE(store_->GetUserByName("root")->disabled);
  EXPECT_TRUE(admin_->Authenticate(ctx_, "alice", service::testing::kPassword).ok());
  EXPECT_TRUE(admin_->ListGroups(system_, ctx_)->empty());
  EXPECT_TRUE(admin_->defender().ListRules(system_, ctx_)->empty());
  EXPECT_TRUE(admin_->defender().ListBans(system_, ctx_)->empty());
  EXPECT_EQ(Names(system_, "/"), std::vector<std::string>{});
}

TEST_F(AdminRoutesTest, GroupsAndMembers) {
  Reply made = Admin("POST", "/api/v1/admin/groups", R"({"name": "Finance"})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(Body(made)["name"], "Finance");
  EXPECT_EQ(Admin("POST", "/api/v1/admin/groups", R"({"name": "finance"})").status, 409);
  EXPECT_EQ(Admin("POST", "/api/v1/admin/group/members?group=Finance&user=alice").status, 204);
  EXPECT_EQ(Admin("POST", "/api/v1/admin/group/members?group=Finance&user=nobody").status, 404);
  Reply list = Admin("GET", "/api/v1/admin/groups");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Body(list)["items"][0]["members"], json::array({"alice"}));
  EXPECT_EQ(Body(Admin("GET", "/api/v1/admin/user?name=alice"))["groups"],
            json::array({"Finance"}));
  EXPECT_EQ(Admin("DELETE", "/api/v1/admin/group/members?group=Finance&user=alice").status, 204);
  EXPECT_EQ(Body(Admin("GET", "/api/v1/admin/groups"))["items"][0]["members"], json::array());
  EXPECT_EQ(Admin("DELETE", "/api/v1/admin/group?name=Finance").status, 204);
  EXPECT_EQ(Body(Admin("GET", "/api/v1/admin/groups"))["items"], json::array());
}

TEST_F(AdminRoutesTest, GrantsDecideWhatAUserCanList) {
  Reply made =
      Admin("POST", "/api/v1/admin/folders", R"({"path": "/Payroll", "quota_bytes": 4096})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(Body(made)["path"], "/Payroll");
  EXPECT_EQ(Body(made)["type"], "folder");
  EXPECT_EQ(Body(made)["quota_bytes"], 4096);
  ASSERT_TRUE(Put(system_, "/Payroll/march.csv", "a,b\n").ok());
  auto alice = User("alice");
  EXPECT_EQ(files_->List(alice, ctx_, "/Payroll", "", 100).status().code(), Code::kNotFound);

  Reply put = Admin("PUT", "/api/v1/admin/grants",
                    R"({"path": "/Payroll", "subject": "alice", "perms": ["list", "read"]})");
  ASSERT_EQ(put.status, 204) << put.body;
  EXPECT_EQ(Names(alice, "/Payroll"), std::vector<std::string>{"march.csv"});
  Reply grants = Admin("GET", "/api/v1/admin/grants?path=/Payroll");
  ASSERT_EQ(grants.status, 200);
  EXPECT_EQ(
      Body(grants)["items"],
      json::parse(R"([{"path": "/Payroll", "subject": "alice", "perms": ["list", "read"]}])"));
  // An empty list is an explicit no-access entry.
  ASSERT_EQ(Admin("PUT", "/api/v1/admin/grants",
                  R"({"path": "/Payroll", "subject": "alice", "perms": []})")
                .status,
            204);
  EXPECT_EQ(Body(Admin("GET", "/api/v1/admin/grants?path=/Payroll"))["items"][0]["perms"],
            json::array());
  EXPECT_EQ(files_->List(alice, ctx_, "/Payroll", "", 100).status().code(), Code::kNotFound);
  EXPECT_EQ(Admin("DELETE", "/api/v1/admin/grants?path=/Payroll&subject=alice").status, 204);
  EXPECT_EQ(Admin("DELETE", "/api/v1/admin/grants?path=/Payroll&subject=alice").status, 404);
  EXPECT_EQ(Body(Admin("GET", "/api/v1/admin/grants?path=/Payroll"))["items"], json::array());

  EXPECT_EQ(Admin("PATCH", "/api/v1/admin/folder?path=/Payroll", R"({"quota_bytes": 0})").status,
            204);
  EXPECT_EQ(Admin("PATCH", "/api/v1/admin/folder?path=/", R"({"quota_bytes": 5})").status, 400);
  EXPECT_EQ(Admin("GET", "/api/v1/admin/grants?path=/Nowhere").status, 404);
}

TEST_F(AdminRoutesTest, BansAndIpRulesRoundTrip) {
  ASSERT_EQ(
      Admin("POST", "/api/v1/admin/bans", R"({"address": "192.0.2.9", "minutes": 10})").status,
      204);
  Reply bans = Admin("GET", "/api/v1/admin/bans");
  ASSERT_EQ(bans.status, 200);
  ASSERT_EQ(Body(bans)["items"].size(), 1u);
  EXPECT_EQ(Body(bans)["items"][0]["address"], "192.0.2.9");
  EXPECT_EQ(Body(bans)["items"][0]["banned_until"], now_us_ / 1000000 + 600);
  EXPECT_EQ(admin_->defender().CheckAddress("192.0.2.9").code(), Code::kPermissionDenied);
  EXPECT_EQ(Admin("DELETE", "/api/v1/admin/bans?address=192.0.2.9").status, 204);
  EXPECT_TRUE(admin_->defender().CheckAddress("192.0.2.9").ok());
  EXPECT_EQ(Admin("DELETE", "/api/v1/admin/bans?address=192.0.2.9").status, 404);

  ASSERT_EQ(Admin("POST", "/api/v1/admin/ip-rules",
                  R"({"cidr": "198.51.100.0/24", "action": "deny", "comment": "scanner"})")
                .status,
            204);
  EXPECT_EQ(
      Admin("POST", "/api/v1/admin/ip-rules", R"({"cidr": "198.51.100.0/24", "action": "deny"})")
          .status,
      409);
  // An allow rule exempts addresses from every ban: it needs a fresh second factor.
  Reply allow =
      Admin("POST", "/api/v1/admin/ip-rules", R"({"cidr": "203.0.113.0/24", "action": "allow"})");
  EXPECT_EQ(allow.status, 403);
  EXPECT_NE(allow.body.find("re-authentication needed"), std::string::npos) << allow.body;
  Reply rules = Admin("GET", "/api/v1/admin/ip-rules");
  ASSERT_EQ(rules.status, 200);
  EXPECT_EQ(Body(rules)["items"][0]["cidr"], "198.51.100.0/24");
  EXPECT_EQ(Body(rules)["items"][0]["action"], "deny");
  EXPECT_EQ(Body(rules)["items"][0]["comment"], "scanner");
  EXPECT_EQ(admin_->defender().CheckAddress("198.51.100.7").code(), Code::kPermissionDenied);
  // %2F: a slash inside the query value.
  EXPECT_EQ(Admin("DELETE", "/api/v1/admin/ip-rules?cidr=198.51.100.0%2F24").status, 204);
  EXPECT_TRUE(admin_->defender().CheckAddress("198.51.100.7").ok());
  EXPECT_EQ(Body(Admin("GET", "/api/v1/admin/ip-rules"))["items"], json::array());
}

TEST_F(AdminRoutesTest, UsersManageTheirOwnSshKeysAndAdministratorsAnyones) {
  Reply added = Send("alice", "POST", "/api/v1/ssh-keys", json{{"key", kKey}}.dump(), "rw");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(Body(added)["fingerprint"], kKeyFingerprint);
  EXPECT_EQ(Body(added)["comment"], "alice@laptop");
  EXPECT_EQ(Send("alice", "POST", "/api/v1/ssh-keys", json{{"key", kKey}}.dump()).status, 409);
  Reply list = Send("alice", "GET", "/api/v1/ssh-keys", "", "r");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(Body(list)["items"].size(), 1u);
  EXPECT_EQ(Body(list)["items"][0]["fingerprint"], kKeyFingerprint);
  EXPECT_EQ(Body(list)["items"][0]["created_at"], now_us_ / 1000000);
  EXPECT_EQ(Body(list)["items"][0]["last_used_at"], 0);
  // Adding needs the write scope.
  EXPECT_EQ(Send("alice", "POST", "/api/v1/ssh-keys", json{{"key", kKey}}.dump(), "r").status, 403);

  // A bad line is refused and nothing is stored.
  for (const std::string& bad :
       std::vector<std::string>{"ssh-ed25519 !!!notbase64", "from=\"x\" " + std::string(kKey),
                                "ssh-dss AAAAB3NzaC1kc3MAAACBAP", std::string(17 * 1024, 'A')}) {
    Reply r = Send("alice", "POST", "/api/v1/ssh-keys?user=alice", json{{"key", bad}}.dump());
    EXPECT_TRUE(r.status == 400 || r.status == 413) << r.status;
    EXPECT_EQ(r.body.find("notbase64"), std::string::npos);
  }
  EXPECT_EQ(admin_->ListSshKeys(system_, ctx_, "alice")->size(), 1u);

  // Someone else's keys: administrators only, and only with the admin scope.
  EXPECT_EQ(Send("alice", "GET", "/api/v1/ssh-keys?user=root").status, 403);
  EXPECT_EQ(Send("root", "GET", "/api/v1/ssh-keys?user=alice", "", "rw").status, 403);
  Reply by_admin = Send("root", "GET", "/api/v1/ssh-keys?user=alice");
  ASSERT_EQ(by_admin.status, 200);
  EXPECT_EQ(Body(by_admin)["items"].size(), 1u);

  EXPECT_EQ(Send("alice", "DELETE", "/api/v1/ssh-keys").status, 400);
  std::string remove =
      "/api/v1/ssh-keys?fingerprint=SHA256%3AJ0Onj5rTU11Fp30oX7tIGs5ExcPyGkxOB%2Bm6U8gdvqc";
  EXPECT_EQ(Send("alice", "DELETE", remove).status, 204);
  EXPECT_EQ(Send("alice", "DELETE", remove).status, 404);
  EXPECT_EQ(Body(Send("alice", "GET", "/api/v1/ssh-keys"))["items"], json::array());
}

TEST_F(AdminRoutesTest, PublicListenerWithoutAdministrationAnswers404ThereAndServesTheRest) {
  Api public_api(ApiServices{*files_, *admin_, *auth_, *sessions_},
                 ApiOptions{.admin_routes = false});
  const std::string not_found = Send(public_api, "", "GET", "/nothing").body;
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/admin/users"},
                                                        {"POST", "/api/v1/admin/users"},
                                                        {"DELETE", "/api/v1/admin/user?name=x"},
                                                        {"PUT", "/api/v1/admin/grants"},
                                                        {"GET", "/api/v1/admin/bans"}}) {
    Reply r = Send(public_api, "root", method, target, R"({"name": "x"})");
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body, not_found);
  }
  EXPECT_EQ(UserNames(), (std::vector<std::string>{"alice", "root"}));
  // One's own keys stay on the public listener; someone else's do not.
  EXPECT_EQ(Send(public_api, "alice", "GET", "/api/v1/ssh-keys").status, 200);
  EXPECT_EQ(Send(public_api, "root", "GET", "/api/v1/ssh-keys?user=alice").status, 404);
  EXPECT_EQ(Send(public_api, "", "GET", "/api/v1/status").status, 200);
  // The full table still serves them.
  EXPECT_EQ(Send("root", "GET", "/api/v1/admin/users").status, 200);
}

}  // namespace
}  // namespace coffer::http
