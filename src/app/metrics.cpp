#include "app/metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "app/guestbook_counters.hpp"
#include "app/spread_counter.hpp"
#include "app/version.hpp"
#include "app/worker_pool.hpp"
#include "log/logger.hpp"
#include "log/logstash_shipper.hpp"
#include "store/store_monitor.hpp"

namespace cppapp::app {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily single(std::string name, std::string help, MetricType type, double value) {
  ClientMetric metric;
  if (type == MetricType::Counter)
    metric.counter.value = value;
  else
    metric.gauge.value = value;
  return MetricFamily{std::move(name), std::move(help), type, {metric}};
}

double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double open_fds() {
  double count = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
    count -= 3;  // ".", ".." and the directory's own descriptor
  }
  return count;
}

/// User plus system CPU time of the whole process (every thread), in seconds.
double cpu_seconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// When the process started, in seconds since the epoch: /proc/self/stat's start time (clock
/// ticks after boot) plus the boot time from /proc/stat, as Prometheus' own clients compute it.
double start_time_seconds() {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after the last ')'.
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int index = 3; index <= 22 && fields >> field; ++index) {
  }
  const double ticks = std::strtod(field.c_str(), nullptr);
  std::ifstream proc_stat("/proc/stat");
  std::string key;
  double boot_time = 0;
  while (proc_stat >> key) {
    if (key == "btime") {
      proc_stat >> boot_time;
      break;
    }
  }
  return boot_time + ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double max_fds() {
  rlimit limit{};
  return getrlimit(RLIMIT_NOFILE, &limit) == 0 ? static_cast<double>(limit.rlim_cur) : 0;
}

/// Values read at scrape time from the parts that own them.
class LiveValues final : public prometheus::Collectable {
 public:
  explicit LiveValues(MetricSources sources) : sources_(sources) {}

  /// Set once, by the Application that owns them, before the server serves.
  void watch_guestbook(const GuestbookCounters* counters) { guestbook_ = counters; }

  /// Answers sent again from the event loops' kept answers.
  SpreadCounter replayed;

  std::vector<MetricFamily> Collect() const override {
    std::vector<MetricFamily> families;
    if (sources_.pool) {
      families.push_back(single("cppapp_worker_queue_depth", "Database calls waiting for a worker",
                                MetricType::Gauge,
                                static_cast<double>(sources_.pool->queue_depth())));
      families.push_back(single("cppapp_worker_busy", "Workers running a database call",
                                MetricType::Gauge, static_cast<double>(sources_.pool->busy())));
    }
    if (sources_.monitor) {
      families.push_back(single("cppapp_store_up", "1 while the database answers its pings",
                                MetricType::Gauge, sources_.monitor->reachable() ? 1 : 0));
      families.push_back(single("cppapp_store_ping_failures_total",
                                "Database pings that failed (the monitor retries with backoff)",
                                MetricType::Counter,
                                static_cast<double>(sources_.monitor->ping_failures())));
      families.push_back(single("cppapp_store_full",
                                "1 while the database refuses writes for want of room",
                                MetricType::Gauge, sources_.monitor->storage_full() ? 1 : 0));
      families.push_back(single("cppapp_guestbook_entries",
                                "Guestbook entries stored (as of the last ping; compare with "
                                "MAX_ENTRIES)",
                                MetricType::Gauge,
                                static_cast<double>(sources_.monitor->entries())));
    }
    if (const GuestbookCounters* guestbook = guestbook_) {
      families.push_back(single("cppapp_guestbook_entries_stored_total",
                                "Guestbook entries this process stored", MetricType::Counter,
                                static_cast<double>(guestbook->stored.load())));
      families.push_back(single("cppapp_guestbook_stored_bytes_total",
                                "Name and message bytes of the entries this process stored",
                                MetricType::Counter,
                                static_cast<double>(guestbook->stored_bytes.load())));
      families.push_back(single("cppapp_guestbook_reads_from_memory_total",
                                "Pages of entries answered from memory (READ_CACHE), with no "
                                "database call",
                                MetricType::Counter,
                                static_cast<double>(guestbook->reads_from_memory.load())));
      ClientMetric rate_limited;
      rate_limited.label = {{"reason", "rate_limited"}};
      rate_limited.counter.value = static_cast<double>(guestbook->rate_limited.load());
      ClientMetric full;
      full.label = {{"reason", "storage_full"}};
      full.counter.value = static_cast<double>(guestbook->storage_full.load());
      families.push_back(MetricFamily{"cppapp_guestbook_writes_refused_total",
                                      "Guestbook writes refused: by the per-client rate limit "
                                      "(429) or for want of room (507)",
                                      MetricType::Counter,
                                      {rate_limited, full}});
    }
    if (const log::ShipperCounters* shipping = sources_.shipping) {
      auto counter = [&](const char* name, const char* help,
                         const std::atomic<std::uint64_t>& value) {
        families.push_back(
            single(name, help, MetricType::Counter, static_cast<double>(value.load())));
      };
      counter("cppapp_log_events_shipped_total",
              "Log events written to Logstash (re-sends included)", shipping->shipped);
      counter("cppapp_log_events_spooled_total", "Log events written to the spool",
              shipping->spooled);
      counter("cppapp_log_events_dropped_total",
              "Log events lost: memory queue full and the spool full or unwritable",
              shipping->dropped);
      counter("cppapp_log_reconnects_total", "Reconnections to Logstash", shipping->reconnects);
      counter("cppapp_log_connect_failures_total",
              "Connection attempts to Logstash that failed (retried with backoff)",
              shipping->connect_failures);
      counter("cppapp_log_events_resent_total", "Log events sent again after a reconnect",
              shipping->resent);
    }
    families.push_back(single("cppapp_http_answers_replayed_total",
                              "Answers sent again, byte for byte, from an event loop's kept "
                              "answers (ANSWER_CACHE) instead of through the pipeline; counted in "
                              "cppapp_http_requests_total too",
                              MetricType::Counter, static_cast<double>(replayed.total())));
    families.push_back(
        single("cppapp_log_console_writes_dropped_total",
               "Console writes (a line, or an event loop's lines of one millisecond) dropped while "
               "stdout was blocked or closed (a broken pipe)",
               MetricType::Counter, static_cast<double>(log::console_writes_dropped())));
    families.push_back(single("process_resident_memory_bytes", "Resident memory size in bytes",
                              MetricType::Gauge, resident_bytes()));
    families.push_back(single("process_open_fds", "Number of open file descriptors",
                              MetricType::Gauge, open_fds()));
    families.push_back(single("process_max_fds", "Maximum number of open file descriptors",
                              MetricType::Gauge, max_fds()));
    families.push_back(single("process_cpu_seconds_total",
                              "Total user and system CPU time spent in seconds",
                              MetricType::Counter, cpu_seconds()));
    families.push_back(single("process_start_time_seconds",
                              "Start time of the process since unix epoch in seconds",
                              MetricType::Gauge, start_time_));
    ClientMetric build;
    build.label = {{"revision", std::string(revision())}, {"version", std::string(version())}};
    build.gauge.value = 1;
    families.push_back(MetricFamily{"cppapp_build_info",
                                    "Always 1: the version and git revision of this binary",
                                    MetricType::Gauge,
                                    {build}});
    return families;
  }

 private:
  MetricSources sources_;
  const GuestbookCounters* guestbook_ = nullptr;
  const double start_time_ = start_time_seconds();
};

}  // namespace

struct Metrics::Impl {
  explicit Impl(MetricSources sources)
      : live(std::make_shared<LiveValues>(sources)),
        requests(prometheus::BuildCounter()
                     .Name("cppapp_http_requests_total")
                     .Help("Requests answered, by route, method and status")
                     .Register(*registry)),
        latency(prometheus::BuildHistogram()
                    .Name("cppapp_http_request_duration_seconds")
                    .Help("Time from a request's last byte read to its answer's last byte written")
                    .Register(*registry)),
        in_flight(prometheus::BuildGauge()
                      .Name("cppapp_http_requests_in_flight")
                      .Help("Requests in the pipeline now")
                      .Register(*registry)
                      .Add({})) {}

  /// The counter of one (route, method, status). Family::Add locks and hashes the labels, so
  /// each thread keeps its own index of the ones it has seen. Route and method labels are string
  /// literals (method_label), so their address identifies them.
  prometheus::Counter& requests_for(std::string_view route, std::string_view method,
                                    unsigned status) {
    thread_local std::map<std::tuple<const Impl*, const char*, std::size_t, const char*, unsigned>,
                          prometheus::Counter*>
        seen;
    const auto key = std::make_tuple(this, route.data(), route.size(), method.data(), status);
    auto found = seen.find(key);
    if (found == seen.end()) {
      prometheus::Counter& counter = requests.Add({{"route", std::string(route)},
                                                   {"method", std::string(method)},
                                                   {"status", std::to_string(status)}});
      found = seen.emplace(key, &counter).first;
    }
    return *found->second;
  }

  prometheus::Histogram& latency_for(std::string_view route, std::string_view method) {
    thread_local std::map<std::tuple<const Impl*, const char*, std::size_t, const char*>,
                          prometheus::Histogram*>
        seen;
    const auto key = std::make_tuple(this, route.data(), route.size(), method.data());
    auto found = seen.find(key);
    if (found == seen.end()) {
      static const prometheus::Histogram::BucketBoundaries kBuckets = {
          0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
      prometheus::Histogram& histogram =
          latency.Add({{"route", std::string(route)}, {"method", std::string(method)}}, kBuckets);
      found = seen.emplace(key, &histogram).first;
    }
    return *found->second;
  }

  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::shared_ptr<LiveValues> live;
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& latency;
  prometheus::Gauge& in_flight;
};

Metrics::Metrics(MetricSources sources) : impl_(std::make_unique<Impl>(sources)) {}
Metrics::~Metrics() = default;

void Metrics::request_started() {
  impl_->in_flight.Increment();
}

std::string_view method_label(std::string_view method) {
  // Literals, so that the label's address identifies it (requests_for); anything else is one
  // label value, so no client can grow the number of series.
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "other";
}

void Metrics::request_finished(std::string_view route, std::string_view method, unsigned status,
                               std::chrono::nanoseconds duration) {
  const std::string_view label = method_label(method);
  impl_->in_flight.Decrement();
  impl_->requests_for(route, label, status).Increment();
  impl_->latency_for(route, label).Observe(std::chrono::duration<double>(duration).count());
}

void Metrics::answer_replayed() {
  impl_->live->replayed.add();
}

void Metrics::watch_guestbook(const GuestbookCounters* counters) {
  impl_->live->watch_guestbook(counters);
}

std::string Metrics::render() const {
  std::vector<MetricFamily> families = impl_->registry->Collect();
  for (auto& family : impl_->live->Collect()) families.push_back(std::move(family));
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace cppapp::app
