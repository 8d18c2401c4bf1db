#include "sftp/sftp_status.h"

namespace coffer::sftp {

StatusCode StatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return kOk;
    case Code::kNotFound:
      return kNoSuchFile;
    case Code::kPermissionDenied:
    case Code::kUnauthenticated:
      return kPermissionDenied;
    case Code::kInvalidArgument:
      return kBadMessage;
    case Code::kAlreadyExists:  // v3 has no "exists"; OpenSSH also says FAILURE
    case Code::kQuotaExceeded:  // ... as for EDQUOT and ENOSPC
    case Code::kLimitExceeded:
    case Code::kFailedPrecondition:
    case Code::kConflict:
    case Code::kIntegrity:
    case Code::kIo:
    case Code::kInternal:
      return kFailure;
  }
  return kFailure;
}

std::string MessageFor(const Status& st) {
  switch (st.code()) {
    case Code::kOk:
      return "Success";
    case Code::kIo:
    case Code::kInternal:
      return "the server could not complete the request";
    case Code::kIntegrity:
      return "stored data failed its integrity check";
    case Code::kQuotaExceeded:
      return "quota exceeded: " + st.message();
    default:
      return st.message();
  }
}

}  // namespace coffer::sftp
