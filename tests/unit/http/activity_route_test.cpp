// GET /api/v1/activity through the Api with a real service stack and a test
// Authenticator that names a real user: the service's rule (administrators see
// everything, a user their own), JSON and CSV answers, keyset pages, strict
// query parsing, and CSV cells that cannot run as spreadsheet formulas.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/api.h"
#include "service/service_fixture.h"
#include "service/sessions.h"

namespace coffer::http {
namespace {

using service::testing::ServiceTest;

class AsUser : public Authenticator {
 public:
  explicit AsUser(std::function<service::Principal()> who) : who_(std::move(who)) {}
  Result<Caller> Identify(const Request& r, Method) const override {
    Caller c;
    c.principal = who_();
    c.context = {"https", r.remote_address, "t1"};
    c.scopes = 7;
    return c;
  }

 private:
  std::function<service::Principal()> who_;
};

class ActivityRouteTest : public ServiceTest {
 protected:
  Reply Get(const service::Principal& p, const std::string& target,
            const std::string& address = "192.0.2.9") {
    AsUser auth([p] { return p; });
    service::SessionService sessions(config_, *store_, *activity_, *admin_);
    Api api(ApiServices{*files_, *admin_, auth, sessions});
    return api.Handle(Request{"GET", target, address, {}, {}});
  }
};

TEST_F(ActivityRouteTest, AdministratorsSeeEveryoneUsersTheirOwn) {
  AddUser("alice");
  AddUser("bob");
  Reply all = Get(system_, "/api/v1/activity?limit=1000");
  ASSERT_EQ(all.status, 200) << all.body;
  auto doc = nlohmann::json::parse(all.body);
  EXPECT_GE(doc["items"].size(), 2u);
  Reply mine = Get(User("alice"), "/api/v1/activity");
  ASSERT_EQ(mine.status, 200);
  const auto mine_doc = nlohmann::json::parse(mine.body);  // must outlive the loop
  for (const auto& item : mine_doc["items"]) {
    EXPECT_EQ(item["actor"], "alice");
  }
  EXPECT_EQ(Get(User("alice"), "/api/v1/activity?user=bob").status, 403);
}

TEST_F(ActivityRouteTest, PagesWithTheCursor) {
  for (int i = 0; i < 5; ++i) Folder("/f" + std::to_string(i));
  std::string target = "/api/v1/activity?action=folder.create&limit=2";
  std::vector<std::string> paths;
  for (int i = 0; i < 5; ++i) {
    Reply r = Get(system_, target);
    ASSERT_EQ(r.status, 200);
    auto doc = nlohmann::json::parse(r.body);
    for (const auto& item : doc["items"]) paths.push_back(item["path"]);
    std::string next = doc["next_cursor"];
    if (next.empty()) break;
    target = "/api/v1/activity?action=folder.create&limit=2&cursor=" + next;
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"/f4", "/f3", "/f2", "/f1", "/f0"}));
}

TEST_F(ActivityRouteTest, CsvNeutralisesFormulas) {
  Folder("/=HYPERLINK(\"x\")");
  Folder("/@sum");
  Reply r = Get(system_, "/api/v1/activity?format=csv&action=folder.create");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(r.body.rfind("id,time,at_us,actor,", 0), 0u);
  EXPECT_NE(r.body.find("\"/=HYPERLINK(\"\"x\"\")\""), std::string::npos) << r.body;
  // Cells that do start with a formula sign get a leading quote: here the
  // source address of earlier requests.
  ASSERT_EQ(Get(system_, "/api/v1/activity", "=1+2").status, 200);
  ASSERT_EQ(Get(system_, "/api/v1/activity", "@A1").status, 200);
  Reply search = Get(system_, "/api/v1/activity?format=csv&action=activity.search&limit=1000");
  ASSERT_EQ(search.status, 200);
  EXPECT_NE(search.body.find(",\"'=1+2\","), std::string::npos) << search.body;
  EXPECT_NE(search.body.find(",\"'@A1\","), std::string::npos);
  EXPECT_EQ(search.body.find(",\"=1+2\","), std::string::npos);
}

TEST_F(ActivityRouteTest, RefusesBadQueries) {
  for (std::string q :
       {"?nope=1", "?limit=0", "?limit=1001", "?limit=x", "?since=-1", "?format=xml",
        "?user=a&user=b", "?path=%zz", "?path=%00", "?path=%4", "?result=maybe", "?cursor=abc"}) {
    Reply r = Get(system_, "/api/v1/activity" + q);
    EXPECT_EQ(r.status, 400) << q;
  }
}

}  // namespace
}  // namespace coffer::http
