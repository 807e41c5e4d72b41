#include "app/usable_cores.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace cppapp::app {
namespace {

TEST(CoresFromCpuMax, QuotaOverPeriodRoundedUp) {
  EXPECT_EQ(cores_from_cpu_max("100000 100000"), 1u);  // --cpus 1
  EXPECT_EQ(cores_from_cpu_max("150000 100000"), 2u);  // --cpus 1.5
  EXPECT_EQ(cores_from_cpu_max("50000 100000"), 1u);   // --cpus 0.5 still gets one loop
  EXPECT_EQ(cores_from_cpu_max("400000 100000\n"), 4u);
}

TEST(CoresFromCpuMax, NoQuotaOrNonsenseIsNone) {
  EXPECT_EQ(cores_from_cpu_max("max 100000"), std::nullopt);
  EXPECT_EQ(cores_from_cpu_max(""), std::nullopt);
  EXPECT_EQ(cores_from_cpu_max("100000"), std::nullopt);
  EXPECT_EQ(cores_from_cpu_max("0 100000"), std::nullopt);
}

TEST(CoresFromCfsQuota, CgroupV1Rule) {
  EXPECT_EQ(cores_from_cfs_quota(-1, 100000), std::nullopt);
  EXPECT_EQ(cores_from_cfs_quota(200000, 100000), 2u);
  EXPECT_EQ(cores_from_cfs_quota(1, 100000), 1u);
  EXPECT_EQ(cores_from_cfs_quota(100000, 0), std::nullopt);
}

TEST(UsableCores, BetweenOneAndTheMachinesCores) {
  const unsigned cores = usable_cores();
  EXPECT_GE(cores, 1u);
  EXPECT_LE(cores, std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace cppapp::app
