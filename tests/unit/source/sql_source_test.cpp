// Invariant 1 as a build failure: SQL text exists only in src/store, and there
// only as constant literals handed to Sql (never built from strings).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// SQL in this code base is upper-case, which keeps English messages ("select a
// folder from the list") from looking like SQL.
#define SQL_SHAPE                                                                  \
  R"re((SELECT\s+[^"]*\bFROM\b|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|)re" \
  R"re(CREATE\s+(TABLE|INDEX|UNIQUE|TRIGGER)\b|DROP\s+(TABLE|INDEX)\b|ALTER\s+TABLE\b|)re" \
  R"re(PRAGMA\s+\w+|WHERE\s+\w+\s*(=|<|>|IN\b|LIKE\b)|ORDER\s+BY\b|VALUES\s*\())re"

// A string literal that reads like SQL.
const std::regex kSqlLiteral(R"re("[^"\n]*)re" SQL_SHAPE);
// SQL text joined at run time: an SQL literal next to +, a literal starting with
// an SQL clause after +, or formatting/streaming of SQL text.
const std::regex kBuiltSql(
    R"re(("[^"\n]*)re" SQL_SHAPE R"re([^"\n]*"\s*\+)|)re"
    R"re((\+\s*"\s*(WHERE|AND|OR|ORDER\s+BY|VALUES|FROM|SET|LIMIT)\b)|)re"
    R"re(("\s*(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s[^"\n]*"\s*(\+|<<))|)re"
    R"re(((format|snprintf|sprintf|append|<<)\s*\(?[^;]*"[^"\n]*)re" SQL_SHAPE R"re())re");
// sqlite3 entry points that take SQL text must only see the Sql wrapper's literal.
const std::regex kRawPrepare(R"re(sqlite3_(exec|prepare(_v2|_v3)?)\s*\()re");

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

struct Finding {
  std::string file;
  int line;
  std::string text;
};

std::vector<Finding> Scan(const fs::path& root) {
  std::vector<Finding> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    auto ext = e.path().extension();
    if (!e.is_regular_file() || (ext != ".cpp" && ext != ".h" && ext != ".hpp")) continue;
    std::string rel = fs::relative(e.path(), root).string();
    bool in_store = rel.rfind("store/", 0) == 0;
    auto lines = Lines(Read(e.path()));
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& l = lines[i];
      bool bad = (!in_store && std::regex_search(l, kSqlLiteral)) || std::regex_search(l, kBuiltSql);
      bool raw = std::regex_search(l, kRawPrepare) && rel != "store/sqldb.cpp";
      if (bad || raw) out.push_back({rel, static_cast<int>(i + 1), l});
    }
  }
  return out;
}

TEST(SqlSourceTest, NoSqlOutsideTheStoreAndNoneBuiltFromStrings) {
  auto findings = Scan(fs::path(COFFER_SOURCE_DIR) / "src");
  for (const auto& f : findings) ADD_FAILURE() << f.file << ":" << f.line << ": " << f.text;
  EXPECT_TRUE(findings.empty());
}

TEST(SqlSourceTest, TheScannerCatchesWhatItMust) {
  const char* literal_outside[] = {
      R"x(auto q = "SELECT id FROM users WHERE name = ?";)x",
      R"x(db.run("DELETE FROM acl");)x",
      R"x(const char* k = "INSERT INTO entries (id) VALUES (1)";)x",
      R"x(x = "PRAGMA foreign_keys = OFF";)x",
      R"x(s = "UPDATE users SET role = 1";)x",
  };
  for (const char* l : literal_outside) EXPECT_TRUE(std::regex_search(l, kSqlLiteral)) << l;
  const char* built[] = {
      R"x(std::string q = "SELECT * FROM users WHERE name = '" + name + "'";)x",
      R"x(q = base + " WHERE id = " + id;)x",
      R"x(q = base + "WHERE id = ?";)x",
      R"x(q += " ORDER BY " + column;)x",
      R"x(std::snprintf(buf, n, "DELETE FROM %s", table);)x",
      R"x(out << "SELECT " << cols << " FROM t";)x",
      R"x(auto q = std::format("SELECT {} FROM t", cols);)x",
  };
  for (const char* l : built) EXPECT_TRUE(std::regex_search(l, kBuiltSql)) << l;
  EXPECT_TRUE(std::regex_search("sqlite3_exec(db, text.c_str(), 0, 0, 0);", kRawPrepare));
  const char* fine[] = {
      R"x(return InvalidArgument("select a folder first");)x",
      R"x(spdlog::info("update from " + name);)x",
      R"x(return NotFound("select a folder from the list " + name);)x",
      R"x(msg = std::to_string(n) + " or more";)x",
      R"x(auto s = db_->Prepare("SELECT id FROM users WHERE id = ?");)x",
  };
  for (const char* l : fine) EXPECT_FALSE(std::regex_search(l, kBuiltSql)) << l;
}

}  // namespace
