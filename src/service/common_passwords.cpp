// The most common passwords and their stems, as published in breach-corpus
// frequency lists. A password whose letters, after undoing common substitutions
// (@→a, 0→o, 1→i/l, 3→e, $→s, 5→s, 7→t, !→i) and dropping the digits and symbols
// around them, spell one of these, or that is one of them outright, is refused
// (service/passwords.h). Only the stems matter, so the list stays short.
#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>
#include <string_view>

#include "service/passwords.h"

namespace coffer::service {

namespace {

constexpr std::string_view kCommon[] = {
    "123456",   "password",   "12345678",   "qwerty",    "123456789",     "12345",      "1234",
    "111111",   "1234567",    "dragon",     "123123",    "baseball",      "abc123",     "football",
    "monkey",   "letmein",    "shadow",     "master",    "666666",        "qwertyuiop", "123321",
    "mustang",  "1234567890", "michael",    "654321",    "superman",      "1qaz2wsx",   "7777777",
    "121212",   "000000",     "qazwsx",     "123qwe",    "killer",        "trustno",    "jordan",
    "jennifer", "zxcvbnm",    "asdfgh",     "hunter",    "buster",        "soccer",     "harley",
    "batman",   "andrew",     "tigger",     "sunshine",  "iloveyou",      "fuckme",     "charlie",
    "robert",   "thomas",     "hockey",     "ranger",    "daniel",        "starwars",   "klaster",
    "112233",   "george",     "computer",   "michelle",  "jessica",       "pepper",     "zxcvbn",
    "555555",   "131313",     "freedom",    "777777",    "pass",          "maggie",     "159753",
    "aaaaaa",   "ginger",     "princess",   "joshua",    "cheese",        "amanda",     "summer",
    "winter",   "spring",     "autumn",     "love",      "ashley",        "nicole",     "chelsea",
    "biteme",   "matthew",    "access",     "yankees",   "dallas",        "austin",     "thunder",
    "taylor",   "matrix",     "mobilemail", "mom",       "monitor",       "monitoring", "montana",
    "moon",     "moscow",     "welcome",    "admin",     "administrator", "root",       "changeme",
    "default",  "guest",      "login",      "secret",    "passw",         "passwd",     "passport",
    "qwer",     "asdf",       "zxcv",       "asdfghjkl", "qwertz",        "azerty",     "abcdef",
    "abcd",     "letmeinnow", "iloveu",     "lovely",    "flower",        "hello",      "whatever",
    "nothing",  "google",     "internet",   "samsung",   "apple",         "microsoft",  "windows",
    "linux",    "oracle",     "cisco",      "company",   "business",      "office",     "temp",
    "test",     "testing",    "demo",       "sample",    "coffer",        "sftp",       "server",
    "database", "backup",     "payroll",    "finance",   "january",       "february",   "march",
    "april",    "june",       "july",       "august",    "september",     "october",
};

char Undo(char c) {
  switch (c) {
    case '@':
    case '4':
      return 'a';
    case '0':
      return 'o';
    case '1':
    case '!':
    case '|':
      return 'i';
    case '3':
      return 'e';
    case '$':
    case '5':
      return 's';
    case '7':
    case '+':
      return 't';
    default:
      return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
}

bool Listed(std::string_view word) {
  return std::find(std::begin(kCommon), std::end(kCommon), word) != std::end(kCommon);
}

}  // namespace

bool IsCommonPassword(std::string_view password) {
  std::string lower;
  for (char c : password)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (Listed(lower)) return true;
  // The stem: without the digits and symbols around it, substitutions undone.
  auto letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; };
  size_t b = 0, e = password.size();
  while (b < e && !letter(password[b])) ++b;
  while (e > b && !letter(password[e - 1])) --e;
  std::string stem;
  for (size_t i = b; i < e; ++i) stem.push_back(Undo(password[i]));
  return stem.size() >= 3 && Listed(stem);
}

}  // namespace coffer::service
