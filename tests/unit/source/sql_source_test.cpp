// Invariant 1 as a test failure: SQL text exists only in src/store, and there
// only as constant literals handed straight to Sql / Prepare, never built from
// strings at run time.
//
// The sources are tokenised (comments, character literals, digit separators,
// raw strings and adjacent-literal concatenation handled), so the rules look at
// string literals and what surrounds them rather than at raw lines:
//  outside src/store  no literal reads as an SQL statement (case-insensitive),
//                     and nothing names an sqlite3_ function;
//  inside src/store   a literal that reads as SQL (a statement, or an upper-case
//                     clause such as " WHERE id = ?") is never next to + or +=,
//                     never streamed or formatted, and sits directly in the
//                     arguments of Prepare/Exec/Sql or in a `Sql name[] = {...}`
//                     array (or a #define of literals used only there);
//                     Prepare/Exec/Sql take only literals or a variable declared
//                     `Sql`; only sqldb.cpp calls sqlite3_prepare*, with
//                     sql.text(), and nothing calls sqlite3_exec.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

enum class Kind { kString, kIdent, kPunct, kNumber };

struct Token {
  Kind kind;
  std::string text;  // a string literal's contents, without quotes or prefix
  int line;
};

struct Finding {
  int line;
  std::string what;
};

// Statements, case-insensitive, shaped so English ("select a folder from the
// list", "delete from the bin") does not match.
const std::regex kSqlStatement(
    R"re(\bselect\s+(distinct\s+)?[\w.*,()\s]+?\s+from\s+\w+(\s+(where|order|group|limit|join|left|inner|as)\b|\s*[;)]|\s*$))re"
    R"re(|\binsert\s+(or\s+\w+\s+)?into\s+\w+\s*(\(|values\b|select\b|default\b))re"
    R"re(|\bupdate\s+\w+\s+set\s+[\w(]+\s*=|\bdelete\s+from\s+\w+\s*(where\b|;|$))re"
    R"re(|\bcreate\s+(unique\s+|temp\s+|temporary\s+|virtual\s+)?(table|index|trigger|view)\b)re"
    R"re(|\bdrop\s+(table|index|trigger|view)\b|\balter\s+table\b|\bpragma\s+\w+)re"
    R"re(|\battach\s+database\b)re",
    std::regex::icase);
// Upper-case clause words: SQL fragments in store code, where messages are
// lower-case prose.
const std::regex kSqlClause(
    R"re(\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE|VALUES|SET|ORDER BY|GROUP BY|LIMIT|JOIN|UNION|PRAGMA|CREATE|DROP|ALTER|ATTACH)\b)re");

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Lexer {
 public:
  explicit Lexer(const std::string& src) : s_(src) {}

  // Tokens of the file outside directives; #define bodies go to `macros`.
  std::vector<Token> Run(std::map<std::string, std::vector<Token>>* macros) {
    std::vector<Token> out;
    bool line_start = true;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '\n') {
        ++line_;
        ++i_;
        line_start = true;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++i_;
      } else if (c == '#' && line_start) {
        Directive(macros);
      } else {
        line_start = false;
        if (!Next(&out)) ++i_;
      }
    }
    return out;
  }

 private:
  bool Starts(const char* p) const { return s_.compare(i_, std::strlen(p), p) == 0; }

  void Directive(std::map<std::string, std::vector<Token>>* macros) {
    std::string text;
    int line = line_;
    while (i_ < s_.size() && s_[i_] != '\n') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size() && s_[i_ + 1] == '\n') {
        text += ' ';
        i_ += 2;
        ++line_;
        continue;
      }
      text += s_[i_++];
    }
    std::smatch m;
    static const std::regex kDefine(R"re(^#\s*define\s+(\w+)(?![\w(])\s*([\s\S]*)$)re");
    if (macros && std::regex_match(text, m, kDefine)) {
      Lexer body(m[2].str());
      body.line_ = line;
      (*macros)[m[1].str()] = body.Run(nullptr);
    }
  }

  // Lexes one token at i_ (or skips a comment); false if nothing was consumed.
  bool Next(std::vector<Token>* out) {
    if (Starts("//")) {
      while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      return true;
    }
    if (Starts("/*")) {
      size_t end = s_.find("*/", i_ + 2);
      end = end == std::string::npos ? s_.size() : end + 2;
      for (size_t k = i_; k < end; ++k) line_ += s_[k] == '\n';
      i_ = end;
      return true;
    }
    char c = s_[i_];
    if (std::isdigit(static_cast<unsigned char>(c))) {  // pp-number, with ' separators
      size_t start = i_;
      while (i_ < s_.size() && (IsIdentChar(s_[i_]) || s_[i_] == '.' || s_[i_] == '\'')) ++i_;
      out->push_back({Kind::kNumber, s_.substr(start, i_ - start), line_});
      return true;
    }
    if (IsIdentChar(c)) {
      size_t start = i_;
      while (i_ < s_.size() && IsIdentChar(s_[i_])) ++i_;
      std::string id = s_.substr(start, i_ - start);
      static const std::set<std::string> kPrefixes = {"R",  "u8R", "uR", "UR", "LR",
                                                      "u8", "u",   "U",  "L"};
      if (i_ < s_.size() && (s_[i_] == '"' || s_[i_] == '\'') && kPrefixes.count(id)) {
        if (id.back() == 'R' && s_[i_] == '"') return RawString(out);
        return Quoted(out);
      }
      out->push_back({Kind::kIdent, id, line_});
      return true;
    }
    if (c == '"' || c == '\'') return Quoted(out);
    static const char* kLong[] = {"<<=", ">>=", "<<", ">>", "+=", "->", "::", "++",
                                  "--",  "==",  "!=", "<=", ">=", "&&", "||"};
    for (const char* p : kLong) {
      if (Starts(p)) {
        out->push_back({Kind::kPunct, p, line_});
        i_ += std::strlen(p);
        return true;
      }
    }
    out->push_back({Kind::kPunct, std::string(1, c), line_});
    ++i_;
    return true;
  }

  bool Quoted(std::vector<Token>* out) {
    char q = s_[i_++];
    std::string text;
    while (i_ < s_.size() && s_[i_] != q && s_[i_] != '\n') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) text += s_[i_++];
      text += s_[i_++];
    }
    ++i_;
    if (q == '"') Push(out, text);
    return true;
  }

  bool RawString(std::vector<Token>* out) {
    size_t open = s_.find('(', i_);
    if (open == std::string::npos) return false;
    std::string close = ")" + s_.substr(i_ + 1, open - i_ - 1) + "\"";
    size_t end = s_.find(close, open);
    if (end == std::string::npos) end = s_.size();
    std::string text = s_.substr(open + 1, end - open - 1);
    int line = line_;
    for (char ch : text) line_ += ch == '\n';
    i_ = std::min(s_.size(), end + close.size());
    Push(out, text, line);
    return true;
  }

  // Adjacent literals are one literal to the compiler, and so to the scan.
  void Push(std::vector<Token>* out, const std::string& text, int line = -1) {
    if (!out->empty() && out->back().kind == Kind::kString) {
      out->back().text += text;
    } else {
      out->push_back({Kind::kString, text, line < 0 ? line_ : line});
    }
  }

  std::string s_;
  size_t i_ = 0;
  int line_ = 1;
};

bool LooksLikeSql(const std::string& literal, bool in_store) {
  return std::regex_search(literal, kSqlStatement) ||
         (in_store && std::regex_search(literal, kSqlClause));
}

class StoreRules {
 public:
  StoreRules(const std::vector<Token>& t, const std::map<std::string, std::vector<Token>>& macros,
             const std::string& file, std::vector<Finding>* out)
      : t_(t), macros_(macros), file_(file), out_(out) {
    for (size_t i = 0; i + 1 < t.size(); ++i) {
      if (t[i].text == "Sql" && t[i + 1].kind == Kind::kIdent) sql_vars_.insert(t[i + 1].text);
    }
  }

  void Check() {
    for (size_t i = 0; i < t_.size(); ++i) {
      const Token& tok = t_[i];
      bool sql_macro = tok.kind == Kind::kIdent && SqlMacro(tok.text);
      if ((tok.kind == Kind::kString && LooksLikeSql(tok.text, true)) || sql_macro) {
        CheckSqlLiteral(i);
      }
      if (tok.kind == Kind::kIdent &&
          (tok.text == "Prepare" || tok.text == "Exec" || tok.text == "Sql")) {
        CheckSqlArgument(i);
      }
      if (tok.kind == Kind::kIdent && tok.text.rfind("sqlite3_", 0) == 0) CheckSqliteCall(i);
    }
    for (const auto& [name, body] : macros_) {
      bool has_sql = false, only_strings = true;
      for (const Token& b : body) {
        has_sql |= b.kind == Kind::kString && LooksLikeSql(b.text, true);
        only_strings &= b.kind == Kind::kString;
      }
      if (has_sql && !only_strings) Add(body.front().line, "macro " + name + " builds SQL");
    }
  }

 private:
  bool SqlMacro(const std::string& name) const {
    auto it = macros_.find(name);
    if (it == macros_.end()) return false;
    for (const Token& b : it->second) {
      if (b.kind == Kind::kString && LooksLikeSql(b.text, true)) return true;
    }
    return false;
  }
  // An object-like macro made of string literals only: a literal in disguise.
  bool StringMacro(const std::string& name) const {
    auto it = macros_.find(name);
    if (it == macros_.end() || it->second.empty()) return false;
    for (const Token& b : it->second) {
      if (b.kind != Kind::kString) return false;
    }
    return true;
  }
  bool Is(size_t i, const char* text) const { return i < t_.size() && t_[i].text == text; }
  void Add(int line, const std::string& what) { out_->push_back({line, what}); }

  void CheckSqlLiteral(size_t i) {
    static const std::set<std::string> kJoin = {"+", "+=", "<<"};
    if ((i > 0 && kJoin.count(t_[i - 1].text)) ||
        (i + 1 < t_.size() && kJoin.count(t_[i + 1].text))) {
      Add(t_[i].line, "SQL text joined with + or <<");
      return;
    }
    // Walk back to the bracket that holds this literal, over literals, macro
    // names and commas only.
    size_t j = i;
    while (j > 0 && (t_[j - 1].kind == Kind::kString || t_[j - 1].text == "," ||
                     (t_[j - 1].kind == Kind::kIdent && StringMacro(t_[j - 1].text)))) {
      --j;
    }
    if (j >= 2 && t_[j - 1].text == "(") {
      const std::string& callee = t_[j - 2].text;
      if (callee == "Prepare" || callee == "Exec" || callee == "Sql") return;
      static const std::set<std::string> kBuilders = {"format",  "vformat", "format_to", "snprintf",
                                                      "sprintf", "append",  "insert",    "assign"};
      if (kBuilders.count(callee)) {
        Add(t_[i].line, "SQL text passed through " + callee);
        return;
      }
    }
    // constexpr Sql kName[] = { ... }
    if (j >= 6 && t_[j - 1].text == "{" && t_[j - 2].text == "=" && t_[j - 3].text == "]" &&
        t_[j - 4].text == "[" && t_[j - 6].text == "Sql") {
      return;
    }
    Add(t_[i].line, "SQL text not handed straight to Sql/Prepare");
  }

  void CheckSqlArgument(size_t i) {
    if (!Is(i + 1, "(")) return;
    if (i > 0 && (t_[i - 1].text == "consteval" || t_[i - 1].text == "::")) return;  // declared
    std::vector<const Token*> args;
    int depth = 0;
    for (size_t k = i + 1; k < t_.size(); ++k) {
      if (t_[k].text == "(") ++depth;
      if (t_[k].text == ")" && --depth == 0) break;
      if (k > i + 1) args.push_back(&t_[k]);
    }
    if (args.empty()) return;
    if (args.size() == 2 && args[0]->text == "Sql" && args[1]->kind == Kind::kIdent) return;
    if (args.size() == 1 && args[0]->kind == Kind::kIdent && sql_vars_.count(args[0]->text)) {
      return;
    }
    for (const Token* a : args) {
      bool literal = a->kind == Kind::kString || (a->kind == Kind::kIdent && StringMacro(a->text));
      if (!literal) {
        Add(t_[i].line, t_[i].text + " given something other than literal SQL");
        return;
      }
    }
  }

  void CheckSqliteCall(size_t i) {
    const std::string& fn = t_[i].text;
    if (fn == "sqlite3_exec") {
      Add(t_[i].line, "sqlite3_exec runs text unprepared");
    } else if (fn.rfind("sqlite3_prepare", 0) == 0 && Is(i + 1, "(")) {
      bool from_sql = Is(i + 4, "sql") && Is(i + 5, ".") && Is(i + 6, "text") && Is(i + 7, "(");
      if (file_ != "store/sqldb.cpp" || !from_sql) {
        Add(t_[i].line, fn + " outside Db::Compile or not on sql.text()");
      }
    }
  }

  const std::vector<Token>& t_;
  const std::map<std::string, std::vector<Token>>& macros_;
  std::string file_;
  std::vector<Finding>* out_;
  std::set<std::string> sql_vars_;
};

// Scans one file's text; `rel` is its path below src/.
std::vector<Finding> ScanText(const std::string& rel, const std::string& text) {
  std::vector<Finding> out;
  std::map<std::string, std::vector<Token>> macros;
  auto tokens = Lexer(text).Run(&macros);
  if (rel.rfind("store/", 0) == 0) {
    StoreRules(tokens, macros, rel, &out).Check();
    return out;
  }
  for (const auto& [name, body] : macros) tokens.insert(tokens.end(), body.begin(), body.end());
  for (const Token& t : tokens) {
    if (t.kind == Kind::kString && LooksLikeSql(t.text, false)) {
      out.push_back({t.line, "SQL text outside src/store"});
    }
    if (t.kind == Kind::kIdent && t.text.rfind("sqlite3", 0) == 0) {
      out.push_back({t.line, "SQLite used outside src/store"});
    }
  }
  return out;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(SqlSourceTest, NoSqlOutsideTheStoreAndNoneBuiltFromStrings) {
  fs::path root = fs::path(COFFER_SOURCE_DIR) / "src";
  int files = 0, store_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    auto ext = e.path().extension();
    if (!e.is_regular_file() || (ext != ".cpp" && ext != ".h" && ext != ".hpp")) continue;
    std::string rel = fs::relative(e.path(), root).generic_string();
    ++files;
    store_files += rel.rfind("store/", 0) == 0;
    for (const auto& f : ScanText(rel, Read(e.path()))) {
      ADD_FAILURE() << "src/" << rel << ":" << f.line << ": " << f.what;
    }
  }
  EXPECT_GT(files, 20);  // the walk really saw the tree
  EXPECT_GT(store_files, 3);
}

std::vector<std::string> Whats(const std::string& rel, const std::string& text) {
  std::vector<std::string> out;
  for (const auto& f : ScanText(rel, text)) out.push_back(f.what);
  return out;
}

TEST(SqlSourceTest, SqlOutsideTheStoreIsFound) {
  const char* bad[] = {
      R"x(auto q = "SELECT id FROM users WHERE name = ?";)x",
      R"x(auto q = "select * from users";)x",
      R"x(db.run("DELETE FROM acl");)x",
      R"x(db.run("delete from acl where id = 1");)x",
      R"x(const char* k = "insert into entries (id) values (1)";)x",
      R"x(x = "PRAGMA foreign_keys = OFF";)x",
      R"x(s = "Update users SET role = 1";)x",
      R"x(s = "DROP TABLE users";)x",
      R"x(s = "ALTER TABLE users ADD COLUMN x";)x",
      R"x(s = "CREATE UNIQUE INDEX i ON t (x)";)x",
      R"x(s = "create trigger t after insert on a begin select 1; end";)x",
      "auto q = R\"sql(\n  SELECT id\n  FROM users\n)sql\";",
      R"x(auto q = "SELECT id " "FROM users";)x",
      "#define COLS \\\n  \"SELECT id FROM users\"\n",
      R"x(sqlite3_open(path, &db);)x",
  };
  for (const char* text : bad) EXPECT_FALSE(Whats("http/routes.cpp", text).empty()) << text;
}

TEST(SqlSourceTest, ProseAndCodeOutsideTheStorePass) {
  const char* fine[] = {
      R"x(return InvalidArgument("select a folder from the list");)x",
      R"x(return NotFound("cannot delete from the recycle bin " + name);)x",
      R"x(spdlog::info("update the settings first");)x",
      R"x(msg = "Drop files here to upload";)x",
      R"x(// SELECT id FROM users WHERE x = 1)x",
      R"x(/* "DELETE FROM acl" */ int x = 1;)x",
      R"x(char q = '"'; auto s = "from where";)x",
      R"x(int n = 1'000'000; auto s = "a select b from c d";)x",
  };
  for (const char* text : fine) EXPECT_TRUE(Whats("http/routes.cpp", text).empty()) << text;
}

TEST(SqlSourceTest, SqlBuiltFromStringsInTheStoreIsFound) {
  const char* bad[] = {
      R"x(std::string q = "SELECT * FROM users WHERE name = '" + name + "'";)x",
      R"x(auto s = db_->Prepare(base + " WHERE id = ?");)x",
      R"x(q += " ORDER BY " + column;)x",
      R"x(auto q = std::format("SELECT {} FROM t", cols);)x",
      R"x(std::snprintf(buf, n, "DELETE FROM %s", table);)x",
      R"x(out << "SELECT " << cols << " FROM t";)x",
      R"x(q.append(" WHERE id = ?");)x",
      R"x(const char* kQuery = "SELECT id FROM users";)x",
      R"x(auto s = db_->Prepare(text.c_str());)x",
      R"x(auto s = db_->Prepare(query);)x",
      R"x(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);)x",
      R"x(sqlite3_prepare_v2(db_, q.c_str(), -1, &s, nullptr);)x",
      "#define COLS \"SELECT \" #x\nauto s = db_->Prepare(COLS);",
  };
  for (const char* text : bad) EXPECT_FALSE(Whats("store/repo_x.cpp", text).empty()) << text;
}

TEST(SqlSourceTest, ConstantSqlInTheStorePasses) {
  const char* fine[] = {
      R"x(auto s = db_->Prepare("SELECT id FROM users WHERE id = ?");)x",
      "#define COLS \\\n  \"id, name\"\nauto s = db_->Prepare(\"SELECT \" COLS \" FROM t\");",
      R"x(constexpr Sql kM[] = {"CREATE TABLE t (x)", "CREATE INDEX i ON t (x)"};)x",
      R"x(for (Sql s : kM) { auto p = db.Prepare(s); })x",
      R"x(for (Sql p : {Sql("PRAGMA synchronous = FULL"), Sql("PRAGMA foreign_keys = ON")}) {})x",
      R"x(Result<std::unique_ptr<Stmt>> Prepare(Sql sql);)x",
      R"x(return NotFound("no such user " + std::to_string(id));)x",
  };
  for (const char* text : fine) {
    EXPECT_TRUE(Whats("store/repo_x.cpp", text).empty()) << text;
  }
  EXPECT_TRUE(Whats("store/sqldb.cpp",
                    "int rc = sqlite3_prepare_v3(db_, sql.text(), -1, flags, &stmt, &tail);")
                  .empty());
}

}  // namespace
