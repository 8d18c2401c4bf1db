// Status and Result: Coffer's one error style.
//
// Every fallible function returns Status (no value) or Result<T> (a value or a
// Status). Codes are a closed set so each front-end can map them to its wire
// errors in one table. `message` is safe to show a client; internal detail
// (errno text, SQL errors, paths on disk) goes to the log, never into it.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace coffer {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // bad input from the caller; nothing changed
  kNotFound,            // no such object, or the caller may not know it exists
  kAlreadyExists,       // name or id taken
  kPermissionDenied,    // authenticated, but not allowed
  kUnauthenticated,     // no valid credentials
  kQuotaExceeded,       // a user or folder quota would be exceeded
  kLimitExceeded,       // an explicit size/count/depth limit was hit
  kFailedPrecondition,  // state does not allow it (e.g. data dir exists, not empty)
  kConflict,            // concurrent change; retry may succeed
  kIntegrity,           // stored data failed authentication (tamper or corruption)
  kIo,                  // the operating system or storage failed
  kInternal,            // a bug
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
inline Status QuotaExceeded(std::string m) { return {Code::kQuotaExceeded, std::move(m)}; }
inline Status LimitExceeded(std::string m) { return {Code::kLimitExceeded, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {Code::kFailedPrecondition, std::move(m)};
}
inline Status Conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
inline Status IntegrityError(std::string m) { return {Code::kIntegrity, std::move(m)}; }
inline Status IoError(std::string m) { return {Code::kIo, std::move(m)}; }
inline Status InternalError(std::string m) { return {Code::kInternal, std::move(m)}; }

// A value or an error. Accessing the value of an error Result is a bug (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok());
    if (status_.ok()) status_ = InternalError("Result built from an ok Status");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace coffer

#define COFFER_CONCAT_INNER(a, b) a##b
#define COFFER_CONCAT(a, b) COFFER_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it is not ok.
// (__COUNTER__ keeps temporaries distinct when uses nest inside lambdas.)
#define COFFER_RETURN_IF_ERROR(expr) \
  COFFER_RETURN_IF_ERROR_IMPL(COFFER_CONCAT(_status_, __COUNTER__), expr)
#define COFFER_RETURN_IF_ERROR_IMPL(tmp, expr) \
  do {                                         \
    ::coffer::Status tmp = (expr);             \
    if (!tmp.ok()) return tmp;                 \
  } while (0)

// `COFFER_ASSIGN_OR_RETURN(auto x, Fn());` declares x from a Result or returns its
// Status. It expands to several statements: give it braces after an `if`.
#define COFFER_ASSIGN_OR_RETURN(lhs, expr) \
  COFFER_ASSIGN_OR_RETURN_IMPL(COFFER_CONCAT(_result_, __COUNTER__), lhs, expr)
#define COFFER_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
