#pragma once
// A scratch views directory for engine tests, named after the running test, removed afterwards.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace cppapp::view::testing {

class TempViews {
 public:
  TempViews() {
    const auto* unit = ::testing::UnitTest::GetInstance();
    dir_ = std::filesystem::temp_directory_path() /
           ("cppapp_views_" + std::to_string(unit->random_seed()) + "_" +
            unit->current_test_info()->test_suite_name() + "_" + unit->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TempViews() { std::filesystem::remove_all(dir_); }
  TempViews(const TempViews&) = delete;
  TempViews& operator=(const TempViews&) = delete;

  /// Writes `text` to `name` (relative to the directory), creating folders on the way.
  void write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace cppapp::view::testing
