#include "server/answer_cache.hpp"

#include <algorithm>
#include <array>

#include "server/wire.hpp"

namespace cppapp::server {

namespace {

/// Request fields under which the same route may answer differently (a 304, a part, a 412) or
/// that announce a body: such a request always goes through the pipeline.
constexpr std::array<std::string_view, 8> kPipelineOnlyFields = {
    "If-None-Match", "If-Modified-Since", "If-Match",         "If-Unmodified-Since", "If-Range",
    "Range",         "Content-Length",    "Transfer-Encoding"};

}  // namespace

bool AnswerCache::key_for(const http::Request& request, std::string& key) const {
  if (max_bytes_ == 0) return false;
  if (request.method != "GET" && request.method != "HEAD") return false;
  key.assign(request.method);
  key += ' ';
  key += request.target;
  // Every Accept-Encoding field, each after a newline (which no field value holds): the same
  // fields negotiate the same encoding.
  for (const auto& field : request.headers.fields()) {
    if (std::any_of(kPipelineOnlyFields.begin(), kPipelineOnlyFields.end(),
                    [&](std::string_view name) { return http::iequals(field.name, name); })) {
      return false;
    }
    if (http::iequals(field.name, "Accept-Encoding")) {
      key += '\n';
      key += field.value;
    }
  }
  return true;
}

std::shared_ptr<const KeptAnswer> AnswerCache::find(std::string_view key) const {
  const auto found = answers_.find(key);
  return found == answers_.end() ? nullptr : found->second;
}

void AnswerCache::keep(std::string_view key, const http::Response& response) {
  if (!response.replayable || response.status != 200 || response.file) return;
  if (answers_.find(key) != answers_.end()) return;
  auto kept = std::make_shared<KeptAnswer>(KeptAnswer{.response_lines = {},
                                                      .body = response.body,
                                                      .status = response.status,
                                                      .route = response.route});
  append_response_lines(kept->response_lines, response);
  const std::size_t size = key.size() * 2 + kept->response_lines.size() + kept->body.size();
  if (size > max_bytes_) return;
  while (bytes_ + size > max_bytes_ && !oldest_first_.empty()) {
    const auto oldest = answers_.find(oldest_first_.front());
    bytes_ -= oldest->first.size() * 2 + oldest->second->response_lines.size() +
              oldest->second->body.size();
    answers_.erase(oldest);
    oldest_first_.pop_front();
  }
  bytes_ += size;
  oldest_first_.emplace_back(key);
  answers_.emplace(std::string(key), std::move(kept));
}

}  // namespace cppapp::server
