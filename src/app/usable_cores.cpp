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
/// controller ("4:cpu,cpuacct:/path"), when present.
struct CgroupPaths {
  std::optional<std::string> unified;
  std::optional<std::string> cpu_v1;
};

/// A whole decimal number (a trailing newline allowed), else nullopt.
std::optional<long long> whole_number(std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

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
    if (line.compare(0, first, "0") == 0 && controllers.empty()) paths.unified = path;
    std::stringstream list(controllers);
    for (std::string controller; std::getline(list, controller, ',');) {
      if (controller == "cpu") paths.cpu_v1 = path;
    }
  }
  return paths;
}

std::optional<unsigned> quota_cores() {
  const CgroupPaths cgroups = own_cgroups();
  // Inside a container the cgroup namespace makes the own path "/"; outside, it is nested.
  if (cgroups.unified) {
    for (const std::string& dir :
         {"/sys/fs/cgroup" + *cgroups.unified, std::string("/sys/fs/cgroup")}) {
      if (auto line = read_first_line(dir + "/cpu.max")) return cores_from_cpu_max(*line);
    }
  }
  if (cgroups.cpu_v1) {
    for (const std::string mount : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
      for (const std::string& dir : {mount + *cgroups.cpu_v1, mount}) {
        const auto quota = read_first_line(dir + "/cpu.cfs_quota_us");
        const auto period = read_first_line(dir + "/cpu.cfs_period_us");
        if (!quota || !period) continue;
        const auto quota_us = whole_number(*quota);
        const auto period_us = whole_number(*period);
        if (!quota_us || !period_us) return std::nullopt;
        return cores_from_cfs_quota(*quota_us, *period_us);
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
  const auto quota_us = whole_number(cpu_max.substr(0, space));
  const auto period_us = whole_number(cpu_max.substr(space + 1));
  if (!quota_us || !period_us) return std::nullopt;
  return cores_from_cfs_quota(*quota_us, *period_us);
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
