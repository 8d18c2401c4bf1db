#include "service/qr_svg.h"

#include <qrencode.h>

#include <memory>
#include <sstream>

namespace coffer::service {

Result<std::string> QrSvg(std::string_view text) {
  if (text.size() > 1024) return LimitExceeded("text is too long for a QR code");
  std::string copy(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeString8bit(copy.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!qr) return InternalError("QR encoding failed");
  const int width = qr->width;
  const int quiet = 4;
  const int size = width + 2 * quiet;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << size << ' ' << size
      << "\" shape-rendering=\"crispEdges\"><rect width=\"" << size << "\" height=\"" << size
      << "\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      if (qr->data[y * width + x] & 1) svg << 'M' << x + quiet << ',' << y + quiet << "h1v1h-1z";
    }
  }
  svg << "\"/></svg>";
  return svg.str();
}

}  // namespace coffer::service
