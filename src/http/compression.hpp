// Response compression with the rules of the `compression` 1.8.0 middleware: which responses it
// compresses, which encoding it negotiates, and the headers it leaves behind.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace cppapp::http {

enum class Encoding { identity, br, gzip, deflate };

class EncodedCache;

struct CompressionOptions {
  /// Bodies shorter than this many bytes are sent as they are (compression's default 1kb).
  std::size_t threshold = 1024;
  /// zlib level for gzip and deflate; 6 is Z_DEFAULT_COMPRESSION, what compression uses.
  int gzip_level = 6;
  /// Brotli quality; compression 1.8 sets BROTLI_PARAM_QUALITY to 4 (window stays Node's 22).
  int brotli_quality = 4;
  /// When set, full (200) answers with an ETag are compressed once per encoding and reused.
  EncodedCache* cache = nullptr;
};

/// The encoding compression 1.8 picks for this Accept-Encoding value with negotiator 0.6.4:
/// highest q first, br then gzip preferred on ties, deflate/identity by their order in the
/// header; identity when the header is empty or nothing acceptable remains.
Encoding negotiate_encoding(std::string_view accept_encoding);

/// The Content-Encoding token for `encoding` ("br", "gzip", "deflate", "identity").
std::string_view encoding_name(Encoding encoding);

/// compressible 2.0.18's answer for a Content-Type value: mime-db's compressible flag for the
/// type, else true for text/* and +json/+text/+xml suffixes, else false.
bool is_compressible(std::string_view content_type);

/// Encodes data (gzip and deflate with zlib wrappers as Node's createGzip/createDeflate,
/// brotli with quality options.brotli_quality); the output decodes back to data.
std::string encode(Encoding encoding, std::string_view data,
                   const CompressionOptions& options = {});

/// Applies the compression middleware to a finished response: filter (compressible
/// Content-Type), Cache-Control no-transform, Vary: Accept-Encoding, threshold, an existing
/// Content-Encoding, HEAD (left uncompressed), negotiation; then compresses the body (reading a
/// file body's range into `body` first), sets Content-Encoding and removes any Content-Length
/// field. The ETag is left untouched, as compression 1.8.0 leaves it.
void compress_response(const Request& request, Response& response,
                       const CompressionOptions& options = {});

}  // namespace cppapp::http
