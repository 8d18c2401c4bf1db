#include "service/passwords.h"

#include <sodium.h>
#include <stddef.h>  // crack.h needs size_t first
#include <crack.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace coffer::service {

namespace {
constexpr size_t kMaxPasswordBytes = 1024;  // bounds hashing work per attempt

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
// cracklib is not documented as thread-safe: one check at a time.
Status CheckWithCracklib(std::string_view password) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::string pw(password);
  if (pw.find('\0') != std::string::npos) return InvalidArgument("password must not contain NUL");
  const char* why = FascistCheck(pw.c_str(), GetDefaultCracklibDict());
  if (why) return InvalidArgument(std::string("password rejected: ") + why);
  return Status::Ok();
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) return LimitExceeded("password is too long");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return IoError("out of memory while hashing a password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (password.size() > kMaxPasswordBytes || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) {
    VerifyDummyPassword(password.substr(0, kMaxPasswordBytes));
    return false;
  }
  std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

void VerifyDummyPassword(std::string_view password) {
  static std::once_flag once;
  static std::string dummy;
  std::call_once(once, [] {
    auto h = HashPassword(GeneratePassword());
    dummy = h.ok() ? *h : std::string();
  });
  if (!dummy.empty()) {
    // The answer is irrelevant; spending the time is the point.
    int rc = crypto_pwhash_str_verify(dummy.c_str(), password.data(),
                                      std::min(password.size(), kMaxPasswordBytes));
    (void)rc;
  }
}

std::string GeneratePassword() {
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789AB";
  std::string out;
  for (int i = 0; i < 20; ++i) out.push_back(kAlphabet[randombytes_uniform(32)]);
  return out;
}

Status CheckPasswordPolicy(std::string_view password, std::string_view user_name,
                           size_t min_length) {
  if (password.size() < min_length) {
    return InvalidArgument("password must be at least " + std::to_string(min_length) +
                           " characters");
  }
  if (password.size() > kMaxPasswordBytes) return LimitExceeded("password is too long");
  if (!user_name.empty() && Lower(password).find(Lower(user_name)) != std::string::npos) {
    return InvalidArgument("password must not contain the user name");
  }
  if (IsCommonPassword(password)) {
    return InvalidArgument("password is one of the most common passwords or built on one");
  }
  return CheckWithCracklib(password);
}

}  // namespace coffer::service
