#include "app/defaults.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "app/config.hpp"
#include "app/write_rate_limit.hpp"
#include "http/body_parser.hpp"

namespace cppapp::app {
namespace {

/// The README's configuration table: flag → {env column, default column}, backticks kept.
std::map<std::string, std::pair<std::string, std::string>> readme_table() {
  std::ifstream in(std::string(CPPAPP_TEST_DATA_DIR) + "/../../README.md");
  std::map<std::string, std::pair<std::string, std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("| `--")) continue;
    std::vector<std::string> cells;
    std::istringstream row(line.substr(1));
    std::string cell;
    while (std::getline(row, cell, '|')) {
      const auto first = cell.find_first_not_of(' ');
      const auto last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    if (cells.size() < 3) continue;
    rows[cells[0].substr(1, cells[0].size() - 2)] = {cells[1], cells[2]};
  }
  return rows;
}

TEST(Defaults, TheReadmeStatesEachDefaultAsTheTableHasIt) {
  const auto rows = readme_table();
  ASSERT_EQ(rows.size(), std::size(kSettingDefaults));
  for (const SettingDefault& setting : kSettingDefaults) {
    const auto row = rows.find(std::string(setting.flag));
    ASSERT_NE(row, rows.end()) << setting.flag << " is not in the README's table";
    // (append, not "`" + std::string: GCC 12 at -O2 warns -Wrestrict, wrongly, on that form.)
    EXPECT_TRUE(row->second.first.starts_with(std::string("`").append(setting.env).append("`")))
        << setting.flag << ": " << row->second.first;
    EXPECT_EQ(row->second.second, setting.stated()) << setting.flag;
  }
}

TEST(Defaults, TheTypedDefaultsReadTheTextAsTheParsersDo) {
  for (const SettingDefault& setting : kSettingDefaults) {
    const std::string_view value = setting.value;
    if (value.empty()) continue;
    if (value.ends_with("b") || setting.flag.ends_with("-limit") ||
        setting.flag == "--compression-threshold") {
      EXPECT_EQ(http::parse_byte_size(value), default_size(setting.flag)) << setting.flag;
    }
  }
  EXPECT_EQ(parse_duration(default_of("--db-timeout")), default_duration("--db-timeout"));
  EXPECT_EQ(parse_duration(default_of("--body-timeout")), default_duration("--body-timeout"));
  EXPECT_EQ(parse_write_rate(default_of("--write-rate")), default_rate("--write-rate"));
}

TEST(Defaults, ConfigStartsFromTheTable) {
  const Config config;
  EXPECT_EQ(config.port, 8080);
  EXPECT_EQ(config.host, "0.0.0.0");
  EXPECT_EQ(config.data_dir, "data");
  EXPECT_EQ(config.body_limit, 100u * 1024);
  EXPECT_EQ(config.log_spool_max, 256ull << 20);
  EXPECT_EQ(config.keepalive_timeout, std::chrono::seconds(5));
  EXPECT_DOUBLE_EQ(config.write_rate, 10.0 / 60.0);
  EXPECT_EQ(config.max_entries, 100'000u);
}

}  // namespace
}  // namespace cppapp::app
