#include "server/connection.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>

#include "app/application.hpp"
#include "log/logger.hpp"
#include "log/repeat_limiter.hpp"
#include "server/access_log.hpp"
#include "server/answer_cache.hpp"
#include "server/request_checks.hpp"
#include "server/request_reader.hpp"
#include "server/wire.hpp"

namespace cppapp::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using Socket = asio::ip::tcp::socket;
using Entry = ConnectionRegistry::Entry;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kFileChunk = 64 * 1024;
/// A request head usually fits in one read of this size (a browser's is 400-800 bytes, a
/// proxy's additions about 100; the buffer grows for larger ones, up to HEADER_LIMIT, at the cost
/// of one more read); kept small because every open connection holds its buffer: it is the
/// largest part of an idle connection's memory.
constexpr std::size_t kReadChunk = 1024;
constexpr std::size_t kIdleBufferBytes = 16 * 1024;
/// After an error answer, unread request bytes are discarded for this long (at most this many)
/// before closing, so the client reads our answer instead of a connection reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 4 * 1024 * 1024;

/// Waits for the answer the database work delivers to `slot`, and resumes on the connection's
/// own thread. The coroutine hands its share of the slot over: while it waits, only the pending
/// database work owns the slot (and, through the slot's waiting callback, the coroutine), so work
/// that is dropped unanswered frees both instead of leaving a cycle.
asio::awaitable<http::Response> wait_for(std::shared_ptr<app::AnswerSlot> slot) {
  auto initiation = [slot = std::move(slot)](auto handler) mutable {
    // Taken out of the initiation, which asio keeps until the answer comes.
    const std::shared_ptr<app::AnswerSlot> taken = std::move(slot);
    auto executor = asio::get_associated_executor(handler);
    auto shared = std::make_shared<std::decay_t<decltype(handler)>>(std::move(handler));
    auto resume = [executor, shared](http::Response response) {
      asio::post(executor, [shared, response = std::move(response)]() mutable {
        (*shared)(std::move(response));
      });
    };
    if (auto ready = taken->take_or_wait(resume)) resume(std::move(*ready));
  };
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(http::Response)>(
      std::move(initiation), asio::use_awaitable);
}

/// Closes a file descriptor when it goes out of scope.
struct FileHandle {
  int fd = -1;
  FileHandle() = default;
  FileHandle(FileHandle&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
  FileHandle& operator=(FileHandle&&) = delete;
  ~FileHandle() {
    if (fd >= 0) ::close(fd);
  }
};

/// Opens the file a response sends, before anything is written. When it cannot be opened (out
/// of descriptors: EMFILE/ENFILE; or gone since the pipeline looked), the response becomes a 503
/// (or 500) the client, the access log and the metrics all see, instead of a closed connection
/// logged as a 200.
FileHandle open_file_body(http::Response& response, std::string_view method,
                          const app::Application& app) {
  FileHandle file;
  if (!response.file || bodiless(response.status, method)) return file;
  file.fd = ::open(response.file->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file.fd >= 0) return file;
  const int error = errno;
  static log::RepeatLimiter repeated_failures;
  if (const auto repeated = repeated_failures.admit()) {
    log::error("cannot open {} to send it: {}{}", response.file->path, std::strerror(error),
               *repeated);
  }
  const std::string_view route = response.route;
  if (error == EMFILE || error == ENFILE || error == ENOMEM) {
    response = app.protocol_error(
        503, "file_unavailable",
        "Service Unavailable: the server cannot open the file right now; try again in a moment");
    response.headers.set("Retry-After", "1");
  } else {
    response = app.protocol_error(500, "internal_error", "Internal Server Error");
  }
  response.route = route;
  return file;
}

/// Runs one socket operation under the connection's deadline: it fails with a timeout when the
/// deadline passed before it began, or passed while it waited (the sweep cancelled it).
template <typename Operation>
asio::awaitable<std::tuple<beast::error_code, std::size_t>> timed(Entry& entry,
                                                                  Operation operation) {
  if (entry.timed_out) co_return std::tuple{beast::error_code(beast::error::timeout), 0};
  entry.in_operation = true;
  auto [ec, transferred] = co_await std::move(operation);
  entry.in_operation = false;
  if (entry.timed_out) ec = beast::error::timeout;
  co_return std::tuple{ec, transferred};
}

/// Writes what the socket takes at once, without waiting (the socket is in non-blocking mode);
/// returns the bytes written. A small answer nearly always fits the socket's send buffer: it
/// then goes out in this one call, without an asynchronous write, its completion handler and
/// the coroutine frames around it.
template <typename Buffers>
std::size_t write_at_once(Socket& socket, const Buffers& buffers, beast::error_code& ec) {
  const std::size_t written = socket.write_some(buffers, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec = {};
    return 0;
  }
  return ec ? 0 : written;
}

/// Writes all of `buffers`: at once when the socket takes them (write_at_once), else the rest as
/// the client reads. The time limit starts again whenever the client takes some bytes: a large
/// answer to a slow but steady client completes, a client that stops reading is cut off.
template <typename Buffers>
asio::awaitable<std::tuple<beast::error_code, std::size_t>> write_all(Socket& socket, Entry& entry,
                                                                      const Buffers& buffers,
                                                                      Clock::duration limit) {
  constexpr std::size_t kLargestWrite = 64 * 1024;
  beast::error_code ec;
  const std::size_t at_once = write_at_once(socket, buffers, ec);
  if (ec || at_once == asio::buffer_size(buffers)) co_return std::tuple{ec, at_once};
  beast::buffers_suffix<Buffers> rest(buffers);
  rest.consume(at_once);
  entry.limit_to(limit);
  auto progress = [&entry, limit](const beast::error_code& ec, std::size_t) -> std::size_t {
    if (ec) return 0;
    entry.limit_to(limit);
    return kLargestWrite;
  };
  auto [rest_ec, later] = co_await timed(entry, asio::async_write(socket, rest, progress, nothrow));
  co_return std::tuple{rest_ec, at_once + later};
}

/// Feeds the reader what the buffer holds and reads more until it has the head (`whole_message`
/// false) or the whole request: Beast's async_read_header / async_read, step for step, without a
/// composed operation around every read.
asio::awaitable<beast::error_code> read_request_part(Socket& socket, Entry& entry,
                                                     beast::flat_buffer& buffer,
                                                     RequestReader& reader, bool whole_message) {
  constexpr std::size_t kLargestRead = 64 * 1024;
  for (;;) {
    if (whole_message ? reader.done() : reader.head_done()) co_return beast::error_code{};
    if (buffer.size() > 0) {
      beast::error_code ec;
      const std::size_t used = reader.feed(buffer.data(), ec);
      buffer.consume(used);
      if (ec && ec != beast_http::error::need_more) co_return ec;
      if (!ec && used > 0) continue;
    }
    auto [ec, n] = co_await timed(
        entry,
        socket.async_read_some(buffer.prepare(beast::read_size(buffer, kLargestRead)), nothrow));
    if (ec == asio::error::eof) {
      if (!reader.got_some()) co_return beast_http::error::end_of_stream;
      beast::error_code eof_ec;
      reader.feed_eof(eof_ec);
      co_return eof_ec;
    }
    if (ec) co_return ec;
    buffer.commit(n);
  }
}

/// Answers to pipelined requests waiting to go out together (see send_answer).
struct PendingAnswers {
  std::string bytes;
  static constexpr std::size_t kMaxBytes = 64 * 1024;
};

/// True when the buffer already holds the whole head of another request: the client pipelines,
/// and reading that request needs no wait on the network.
bool holds_a_whole_head(const beast::flat_buffer& buffer) {
  const std::string_view data(static_cast<const char*>(buffer.data().data()), buffer.size());
  return data.find("\r\n\r\n") != std::string_view::npos;
}

/// One answer as it goes out: the response's own lines (status line and headers), the lines of
/// this request (append_request_lines), and the body when it is in memory and sent.
struct AnswerBytes {
  std::string_view response_lines;
  std::string_view request_lines;
  std::string_view body;
};

/// Writes whatever answers are still waiting.
asio::awaitable<beast::error_code> flush(Socket& socket, Entry& entry, PendingAnswers& pending,
                                         const ServerOptions& options) {
  if (pending.bytes.empty()) co_return beast::error_code{};
  auto [ec, written] =
      co_await write_all(socket, entry, asio::buffer(pending.bytes), options.body_timeout);
  pending.bytes.clear();
  co_return ec;
}

/// Writes the answers still waiting, then this one's head and in-memory body, in one write.
asio::awaitable<beast::error_code> write_answer(Socket& socket, Entry& entry,
                                                PendingAnswers& pending, const AnswerBytes& answer,
                                                const ServerOptions& options) {
  const std::array<asio::const_buffer, 4> buffers{
      asio::buffer(pending.bytes), asio::buffer(answer.response_lines),
      asio::buffer(answer.request_lines), asio::buffer(answer.body)};
  auto [ec, written] = co_await write_all(socket, entry, buffers, options.body_timeout);
  pending.bytes.clear();
  co_return ec;
}

/// Sends a file body in chunks, so a large file never sits in memory; returns the bytes sent.
/// `fd` was opened by the caller before anything was written.
asio::awaitable<std::pair<beast::error_code, std::uint64_t>> write_file_body(
    Socket& socket, Entry& entry, const http::Response::FileBody& file, int fd,
    const ServerOptions& options) {
  std::string chunk(kFileChunk, '\0');
  std::uint64_t offset = file.offset;
  std::uint64_t remaining = file.length;
  while (remaining > 0) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(remaining, chunk.size()));
    const ssize_t got = ::pread(fd, chunk.data(), want, static_cast<off_t>(offset));
    if (got <= 0) {
      co_return std::pair{beast::error_code(EIO, beast::system_category()), offset - file.offset};
    }
    auto [ec, written] =
        co_await write_all(socket, entry, asio::buffer(chunk.data(), static_cast<std::size_t>(got)),
                           options.body_timeout);
    if (ec) co_return std::pair{ec, offset - file.offset};
    offset += static_cast<std::uint64_t>(got);
    remaining -= static_cast<std::uint64_t>(got);
  }
  co_return std::pair{beast::error_code{}, file.length};
}

/// Half-closes, discards what the client still sends for a moment, then closes: the client
/// gets to read our last answer instead of a reset.
asio::awaitable<void> lingering_close(Socket& socket, Entry& entry) {
  beast::error_code ignored;
  socket.shutdown(Socket::shutdown_send, ignored);
  entry.limit_to(kLingerTime);
  std::array<char, 16 * 1024> sink;
  std::size_t discarded = 0;
  while (discarded < kLingerBytes) {
    auto [ec, n] = co_await timed(entry, socket.async_read_some(asio::buffer(sink), nothrow));
    if (ec) break;
    discarded += n;
  }
  socket.close(ignored);
}

/// What a connection keeps between its requests.
struct Connection {
  Socket& socket;
  Entry& entry;
  const ServerOptions& options;
  app::Application& app;
  const ConnectionRegistry& registry;
  AnswerCache& answers;  ///< the loop's
  const std::string peer;
  beast::flat_buffer buffer;
  PendingAnswers pending;
  /// Reused for every request, so a kept answer goes out without an allocation.
  std::string answer_key;
  std::string request_lines;
};

/// Waits, within the keep-alive timeout, for the first bytes of the next request; false when
/// none came (the client left, the timeout, draining closed the idle connection).
asio::awaitable<bool> wait_for_request(Connection& c) {
  // A large body grew the buffer; an idle connection keeps only a small one.
  if (c.buffer.capacity() > kIdleBufferBytes) c.buffer.shrink_to_fit();
  c.entry.idle = true;
  c.entry.limit_to(c.options.keepalive_timeout);
  auto [ec, n] =
      co_await timed(c.entry, c.socket.async_read_some(c.buffer.prepare(kReadChunk), nothrow));
  c.entry.idle = false;
  if (ec) co_return false;
  c.buffer.commit(n);
  co_return true;
}

/// Reads the body of an accepted head within the body timeout, after a "100 Continue" when the
/// client waits for one (as Node does).
asio::awaitable<beast::error_code> read_body(Connection& c, RequestReader& reader) {
  if (reader.expects_continue()) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    co_await timed(c.entry, asio::async_write(c.socket, asio::buffer(kContinue), nothrow));
  }
  c.entry.limit_to(c.options.body_timeout);
  co_return co_await read_request_part(c.socket, c.entry, c.buffer, reader, true);
}

/// How reading a request ended: whole and accepted (neither field set), refused, or the client
/// left or was too slow (it gets no answer).
struct ReadResult {
  std::unique_ptr<http::Response> refusal;  ///< answer this, then close (rare: not in the frame)
  bool gone = false;                        ///< close without an answer
};

/// A refusal, when there is one, moved to the heap.
std::unique_ptr<http::Response> on_heap(std::optional<http::Response> refusal) {
  return refusal ? std::make_unique<http::Response>(std::move(*refusal)) : nullptr;
}

/// Reads one request, its head within the header timeout and its body within the body timeout,
/// and checks both (request_checks.cpp).
asio::awaitable<ReadResult> read_request(Connection& c, RequestReader& reader) {
  c.entry.limit_to(c.options.header_timeout);
  const beast::error_code head_ec =
      co_await read_request_part(c.socket, c.entry, c.buffer, reader, false);
  ReadResult result{.refusal = on_heap(refuse_head(head_ec, reader, c.options, c.app))};
  if (head_ec || result.refusal) {
    result.gone = !result.refusal;
    co_return result;
  }
  reader.start_body();
  if (reader.done()) co_return result;
  // Answers still waiting go out first: the body may be slow to come.
  if (co_await flush(c.socket, c.entry, c.pending, c.options))
    co_return ReadResult{.refusal = nullptr, .gone = true};
  const beast::error_code body_ec = co_await read_body(c, reader);
  result.refusal = on_heap(refuse_body(body_ec, reader, c.options, c.app));
  result.gone = body_ec && !result.refusal;
  co_return result;
}

/// An answer's bytes: its response lines, this request's own lines (written into the
/// connection's reused buffer) and `body` unless the status or the method has none. `body` is
/// what is in memory: empty for a file body, which goes out after (write_file_body).
AnswerBytes answer_bytes(Connection& c, std::string_view response_lines, unsigned status,
                         std::uint64_t content_length, std::string_view body,
                         std::string_view request_id, std::string_view method, bool keep_alive) {
  c.request_lines.clear();
  append_request_lines(c.request_lines, request_id, status, content_length, keep_alive,
                       c.options.keepalive_timeout);
  return {response_lines, c.request_lines, bodiless(status, method) ? std::string_view() : body};
}

/// Answers a refused request. The caller closes the connection after it: the stream is out of
/// step with the client.
asio::awaitable<void> refuse(Connection& c, const RequestReader& reader,
                             const http::Response& refusal) {
  c.app.request_started();
  std::string response_lines;
  append_response_lines(response_lines, refusal);
  const AnswerBytes bytes = answer_bytes(c, response_lines, refusal.status,
                                         refusal.content_length(), refusal.body, {}, "GET", false);
  co_await write_answer(c.socket, c.entry, c.pending, bytes, c.options);
  c.app.request_finished(refusal.route, refusal.status, reader.message().method_string(), {});
  log_access(c.app, AccessFacts::unread(c.peer), refusal.route, refusal.status,
             refusal.content_length(), {});
}

/// Sends an answer: queued when the client has already sent the whole head of its next request
/// (pipelining) and the body is in memory, so one write carries many answers; else written now
/// with any queued ones, then the file body if there is one (`file` and its open `fd`). Returns
/// the body bytes sent, or the error.
asio::awaitable<std::pair<beast::error_code, std::uint64_t>> send_answer(
    Connection& c, const AnswerBytes& answer, bool keep_alive, const http::Response::FileBody* file,
    int fd) {
  if (!file && keep_alive && holds_a_whole_head(c.buffer) &&
      c.pending.bytes.size() < PendingAnswers::kMaxBytes) {
    c.pending.bytes += answer.response_lines;
    c.pending.bytes += answer.request_lines;
    c.pending.bytes += answer.body;
    co_return std::pair{beast::error_code{}, static_cast<std::uint64_t>(answer.body.size())};
  }
  const beast::error_code ec =
      co_await write_answer(c.socket, c.entry, c.pending, answer, c.options);
  if (ec || !file) co_return std::pair{ec, static_cast<std::uint64_t>(answer.body.size())};
  co_return co_await write_file_body(c.socket, c.entry, *file, fd, c.options);
}

/// Counts and logs a sent answer.
void note_answer(Connection& c, const AccessFacts& facts, std::string_view route, unsigned status,
                 std::uint64_t body_bytes, Clock::time_point started) {
  const auto duration = Clock::now() - started;
  c.app.request_finished(route, status, facts.method, duration);
  log_access(c.app, facts, route, status, body_bytes, duration);
}

/// Sends a kept answer again (AnswerCache), with this request's own lines. Returns whether the
/// connection goes on.
asio::awaitable<bool> answer_again(Connection& c, std::shared_ptr<const KeptAnswer> kept,
                                   const AccessFacts& facts, bool keep_alive,
                                   Clock::time_point started) {
  if (c.registry.draining) keep_alive = false;
  const AnswerBytes bytes = answer_bytes(c, kept->response_lines, kept->status, kept->body.size(),
                                         kept->body, facts.request_id, facts.method, keep_alive);
  const auto [ec, body_bytes] = co_await send_answer(c, bytes, keep_alive, nullptr, -1);
  c.app.answer_replayed();
  note_answer(c, facts, kept->route, kept->status, body_bytes, started);
  co_return keep_alive && !ec;
}

/// Sends an answer the pipeline made, keeping it first when its route allows (`may_keep`, with
/// the key in c.answer_key); counts and logs it. Returns whether the connection goes on.
asio::awaitable<bool> send_response(Connection& c, http::Response& response,
                                    const AccessFacts& facts, bool may_keep, bool keep_alive,
                                    Clock::time_point started) {
  if (may_keep) c.answers.keep(c.answer_key, response);
  // While draining, tell the client (and the proxy) to go elsewhere.
  if (c.registry.draining) keep_alive = false;
  const FileHandle file = open_file_body(response, facts.method, c.app);
  std::string response_lines;
  response_lines.reserve(1024);
  append_response_lines(response_lines, response);
  const AnswerBytes bytes =
      answer_bytes(c, response_lines, response.status, response.content_length(), response.body,
                   facts.request_id, facts.method, keep_alive);
  const bool file_sent = response.file && !bodiless(response.status, facts.method);
  const auto* file_body = file_sent ? &*response.file : nullptr;
  const auto [write_ec, body_bytes] =
      co_await send_answer(c, bytes, keep_alive, file_body, file.fd);
  note_answer(c, facts, response.route, response.status, body_bytes, started);
  co_return keep_alive && !write_ec;
}

/// Answers a request: again from the loop's kept answers when it asks what an earlier request
/// did, else through the pipeline (keeping the answer when its route allows). Writes it (or
/// queues it, see send_answer), counts and logs it. Returns whether the connection goes on:
/// kept alive and the write went well. `request` belongs to the caller, and outlives this call;
/// it is moved into the pipeline only when the pipeline answers. (Split in three coroutines so
/// that no frame outgrows the memory Asio recycles; see RequestUnderWay.)
asio::awaitable<bool> answer(Connection& c, http::Request& request, bool keep_alive) {
  const auto started = Clock::now();
  request.id = request_id_for(request.headers);
  const AccessFacts facts(request, c.peer);
  c.app.request_started();
  const bool may_keep = c.answers.key_for(request, c.answer_key);
  if (may_keep) {
    if (auto kept = c.answers.find(c.answer_key)) {
      const bool goes_on = co_await answer_again(c, std::move(kept), facts, keep_alive, started);
      co_return goes_on;
    }
  }
  // The answer at once when the pipeline has one (nearly always), else when the database work
  // delivers it.
  app::Answer answer = c.app.handle(std::move(request), c.peer);
  if (auto* slot = std::get_if<std::shared_ptr<app::AnswerSlot>>(&answer)) {
    // (Named: GCC 12 mishandles temporaries in an expression around a co_await.)
    std::shared_ptr<app::AnswerSlot> waited = std::move(*slot);
    answer = co_await wait_for(std::move(waited));
  }
  const bool goes_on = co_await send_response(c, std::get<http::Response>(answer), facts, may_keep,
                                              keep_alive, started);
  co_return goes_on;
}

/// What the connection does after a request.
enum class AfterRequest { go_on, close, linger };

/// The reader and the request of a request under way. On the heap, not in serve_request's frame:
/// Asio keeps freed coroutine frames of up to 1020 bytes per thread for the next ones, and a
/// larger frame costs an aligned allocation every time and pushes a kept one out.
struct RequestUnderWay {
  RequestUnderWay(std::size_t header_limit, std::size_t body_limit)
      : reader(header_limit, body_limit) {}
  RequestReader reader;
  std::optional<http::Request> request;  ///< made from the reader once it is whole
};

/// Reads one request and answers or refuses it. A coroutine of its own, so the reader, the
/// request and the refusal exist only while a request is under way: an idle connection, waiting
/// for its next request, keeps none of them.
asio::awaitable<AfterRequest> serve_request(Connection& c) {
  const auto under_way =
      std::make_unique<RequestUnderWay>(c.options.header_limit, c.options.body_limit);
  RequestReader& reader = under_way->reader;
  const ReadResult read = co_await read_request(c, reader);
  if (read.gone) co_return AfterRequest::close;
  if (read.refusal) {
    co_await refuse(c, reader, *read.refusal);
    co_return AfterRequest::linger;
  }
  const bool keep_alive = reader.keep_alive();
  http::Request& request = under_way->request.emplace(reader.release());
  const bool goes_on = co_await answer(c, request, keep_alive);
  co_return goes_on ? AfterRequest::go_on : AfterRequest::close;
}

}  // namespace

asio::awaitable<void> serve_connection(asio::ip::tcp::socket socket, const ServerOptions& options,
                                       app::Application& app, ConnectionRegistry& registry,
                                       AnswerCache& answers) {
  beast::error_code ec;
  auto entry = registry.add(socket);
  struct Unregister {
    ConnectionRegistry& registry;
    std::list<ConnectionRegistry::Entry>::iterator entry;
    ~Unregister() { registry.entries.erase(entry); }
  } unregister{registry, entry};
  Connection c{.socket = socket,
               .entry = *entry,
               .options = options,
               .app = app,
               .registry = registry,
               .answers = answers,
               .peer = socket.remote_endpoint(ec).address().to_string(),
               .buffer = {},
               .pending = {},
               .answer_key = {},
               .request_lines = {}};

  // Answers are first written without waiting (write_at_once).
  socket.non_blocking(true, ec);
  bool linger = false;
  for (;;) {
    if (c.buffer.size() == 0) {
      if (registry.draining) break;
      if (!co_await wait_for_request(c)) break;
    }
    // (A named result: GCC 12 mishandles temporaries in an expression around a co_await.)
    const AfterRequest after = co_await serve_request(c);
    if (after == AfterRequest::go_on) continue;
    linger = after == AfterRequest::linger;
    break;
  }
  // Answers queued for a pipelined request that then could not be read still go out.
  co_await flush(socket, *entry, c.pending, options);
  if (linger) {
    co_await lingering_close(socket, *entry);
  } else {
    socket.shutdown(Socket::shutdown_both, ec);
    socket.close(ec);
  }
}

}  // namespace cppapp::server
