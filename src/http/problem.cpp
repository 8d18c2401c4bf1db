#include "http/problem.h"

#include <nlohmann/json.hpp>

namespace coffer::http {

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
      return 409;
    // Hidden and forbidden look the same from outside only where the service says
    // kNotFound; an explicit denial on a visible object is 403.
    case Code::kPermissionDenied:
      return 403;
    case Code::kUnauthenticated:
      return 401;
    case Code::kQuotaExceeded:
      return 507;
    case Code::kLimitExceeded:
      return 413;
    case Code::kFailedPrecondition:
      return 412;
    case Code::kConflict:
      return 409;
    case Code::kIntegrity:
      return 500;
    case Code::kIo:
      return 503;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

std::string_view TitleFor(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 507:
      return "Insufficient Storage";
    default:
      return "Error";
  }
}

std::string ProblemBody(int status, std::string_view detail) {
  nlohmann::json doc = {{"type", "about:blank"}, {"title", TitleFor(status)}, {"status", status}};
  if (!detail.empty()) doc["detail"] = detail;
  return doc.dump();
}

}  // namespace coffer::http
