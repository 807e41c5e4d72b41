// Expectations produced by mime 1.6.0 as send 0.19 uses it (lookup + charsets.lookup).
#include "http/mime_types.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cppapp::http {
namespace {

struct MimeCase {
  std::string path;
  std::string content_type;
};

const MimeCase kCases[] = {
    {"a.html", "text/html; charset=UTF-8"},
    {"a.htm", "text/html; charset=UTF-8"},
    {"a.css", "text/css; charset=UTF-8"},
    {"a.js", "application/javascript; charset=UTF-8"},
    {"a.mjs", "application/javascript; charset=UTF-8"},
    {"a.json", "application/json; charset=UTF-8"},
    {"a.map", "application/json; charset=UTF-8"},
    {"a.txt", "text/plain; charset=UTF-8"},
    {"a.xml", "application/xml"},
    {"a.svg", "image/svg+xml"},
    {"a.png", "image/png"},
    {"a.jpg", "image/jpeg"},
    {"a.jpeg", "image/jpeg"},
    {"a.gif", "image/gif"},
    {"a.webp", "image/webp"},
    {"a.ico", "image/x-icon"},
    {"a.avif", "application/octet-stream"},
    {"a.woff", "font/woff"},
    {"a.woff2", "font/woff2"},
    {"a.ttf", "font/ttf"},
    {"a.otf", "font/otf"},
    {"a.eot", "application/vnd.ms-fontobject"},
    {"a.pdf", "application/pdf"},
    {"a.zip", "application/zip"},
    {"a.gz", "application/gzip"},
    {"a.mp4", "video/mp4"},
    {"a.webm", "video/webm"},
    {"a.mp3", "audio/mpeg"},
    {"a.wav", "audio/wav"},
    {"a.ogg", "audio/ogg"},
    {"a.wasm", "application/wasm"},
    {"a.csv", "text/csv; charset=UTF-8"},
    {"a.md", "text/markdown; charset=UTF-8"},
    {"a.yaml", "text/yaml; charset=UTF-8"},
    {"a.webmanifest", "application/manifest+json"},
    {"a.jsonld", "application/ld+json"},
    {"a.xhtml", "application/xhtml+xml"},
    {"a.tar", "application/x-tar"},
    {"a.bin", "application/octet-stream"},
    {"a.unknownext", "application/octet-stream"},
    {"/x/README", "application/octet-stream"},
    {"/x/html", "text/html; charset=UTF-8"},
    {"/x.y/z", "application/octet-stream"},
    {"A.HTML", "text/html; charset=UTF-8"},
    {"a.b.c.css", "text/css; charset=UTF-8"},
    {"/x\\y.js", "application/javascript; charset=UTF-8"},
    {"a.", "application/octet-stream"},
    {".htaccess", "application/octet-stream"},
    {"a.ics", "text/calendar; charset=UTF-8"},
    {"a.rtf", "application/rtf"},
    {"a.doc", "application/msword"},
    {"a.xls", "application/vnd.ms-excel"},
    {"a.7z", "application/x-7z-compressed"},
    {"a.mov", "video/quicktime"},
    {"a.flac", "audio/x-flac"},
    {"a.apng", "image/apng"},
    {"a.jxl", "application/octet-stream"},
    {"a.heic", "application/octet-stream"},
    {"a.ts", "video/mp2t"},
    {"a.tsx", "application/octet-stream"},
    {"a.cjs", "application/octet-stream"},
};

TEST(ContentTypeForPath, MatchesSendAndMime16) {
  for (const auto& c : kCases) EXPECT_EQ(content_type_for_path(c.path), c.content_type) << c.path;
}

TEST(MimeTypeForPath, WithoutCharset) {
  EXPECT_EQ(mime_type_for_path("/srv/site.css"), "text/css");
  EXPECT_EQ(mime_type_for_path(""), "application/octet-stream");
}

TEST(MimeTypeForPath, OnlyTheFirstLineIsSearchedForTheExtension) {
  // /^.*[\.\/\\]/ cannot cross a newline, so the whole name (lower-cased) is the "extension".
  EXPECT_EQ(mime_type_for_path("a.txt\nb"), "application/octet-stream");
}

}  // namespace
}  // namespace cppapp::http
