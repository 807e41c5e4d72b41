// How many event loops fit the CPU this process may use: the CPUs it may run on (affinity,
// cpusets), capped by a CPU quota (Docker's --cpus, a Swarm service's limits.cpus). A replica
// limited to one CPU on a larger node then runs one loop, not one per node core that the quota
// would throttle in turn.
#pragma once

#include <optional>
#include <string_view>

namespace cppapp::app {

/// cgroup v2 `cpu.max`: "150000 100000" → 2 (quota / period, rounded up, at least 1);
/// "max 100000" or anything unreadable → nullopt (no quota).
std::optional<unsigned> cores_from_cpu_max(std::string_view cpu_max);

/// cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us`: the same rule; a quota of -1 → nullopt.
std::optional<unsigned> cores_from_cfs_quota(long long quota_us, long long period_us);

/// The CPUs this process may run on, capped by its cgroup's CPU quota (v2, else v1); at least 1.
unsigned usable_cores();

}  // namespace cppapp::app
