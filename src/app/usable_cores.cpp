#include "app/usable_cores.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace cppapp::app {

namespace {

std::optional<std::string> read_first_line(const std::string& path) {
  std::ifstream file(path);
  std::string line;
  if (!file || !std::getline(file, line)) return std::nullopt;
  return line;
}

/// The cgroup paths of this process: the v2 one ("0::/path") and the v1 one holding the cpu
/// controller ("4:cpu,cpuacct:/path"); empty when absent.
struct CgroupPaths {
  std::string unified;
  std::string cpu_v1;
  bool has_unified = false;
  bool has_cpu_v1 = false;
};

CgroupPaths own_cgroups() {
  CgroupPaths paths;
  std::ifstream file("/proc/self/cgroup");
  std::string line;
  while (std::getline(file, line)) {
    const std::size_t first = line.find(':');
    const std::size_t second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (line.compare(0, first, "0") == 0 && controllers.empty()) {
      paths.unified = path;
      paths.has_unified = true;
    }
    std::stringstream list(controllers);
    for (std::string controller; std::getline(list, controller, ',');) {
      if (controller == "cpu") {
        paths.cpu_v1 = path;
        paths.has_cpu_v1 = true;
      }
    }
  }
  return paths;
}

std::optional<unsigned> quota_cores() {
  const CgroupPaths cgroups = own_cgroups();
  // Inside a container the cgroup namespace makes the own path "/"; outside, it is nested.
  if (cgroups.has_unified) {
    for (const std::string& dir :
         {"/sys/fs/cgroup" + cgroups.unified, std::string("/sys/fs/cgroup")}) {
      if (auto line = read_first_line(dir + "/cpu.max")) return cores_from_cpu_max(*line);
    }
  }
  if (cgroups.has_cpu_v1) {
    for (const std::string mount : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
      for (const std::string& dir : {mount + cgroups.cpu_v1, mount}) {
        const auto quota = read_first_line(dir + "/cpu.cfs_quota_us");
        const auto period = read_first_line(dir + "/cpu.cfs_period_us");
        if (!quota || !period) continue;
        long long quota_us = 0, period_us = 0;
        std::from_chars(quota->data(), quota->data() + quota->size(), quota_us);
        std::from_chars(period->data(), period->data() + period->size(), period_us);
        return cores_from_cfs_quota(quota_us, period_us);
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<unsigned> cores_from_cfs_quota(long long quota_us, long long period_us) {
  if (quota_us <= 0 || period_us <= 0) return std::nullopt;
  return static_cast<unsigned>(std::max(1LL, (quota_us + period_us - 1) / period_us));
}

std::optional<unsigned> cores_from_cpu_max(std::string_view cpu_max) {
  const std::size_t space = cpu_max.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view quota = cpu_max.substr(0, space);
  const std::string_view period = cpu_max.substr(space + 1);
  long long quota_us = 0, period_us = 0;
  const auto quota_read = std::from_chars(quota.data(), quota.data() + quota.size(), quota_us);
  const auto period_read = std::from_chars(period.data(), period.data() + period.size(), period_us);
  if (quota_read.ec != std::errc{} || period_read.ec != std::errc{}) return std::nullopt;
  return cores_from_cfs_quota(quota_us, period_us);
}

unsigned usable_cores() {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
    cores = static_cast<unsigned>(std::max(1, CPU_COUNT(&allowed)));
  }
  if (const auto quota = quota_cores()) cores = std::min(cores, *quota);
  return cores;
}

}  // namespace cppapp::app
