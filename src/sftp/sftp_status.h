// The one table that maps service error codes to SFTP v3 status codes. The
// message sent with a status is the service's own message, which never holds
// internal detail (file-system paths, SQL); kIo and kInternal are replaced by a
// generic text.
#pragma once

#include <string>

#include "sftp/sftp_wire.h"
#include "util/status.h"

namespace coffer::sftp {

StatusCode StatusFor(Code code);
std::string MessageFor(const Status& st);

}  // namespace coffer::sftp
