#include "log/crash_handler.hpp"

#include <gtest/gtest.h>
#include <link.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace cppapp::log {
namespace {

namespace fs = std::filesystem;

[[gnu::noinline]] std::uintptr_t a_function_of_this_binary() {
  return reinterpret_cast<std::uintptr_t>(&a_function_of_this_binary);
}

/// This executable's frame for `address` as the crash handler writes it: "log_tests+0x…".
std::string frame_of(std::uintptr_t address) {
  std::uintptr_t base = 0;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* out) {
        *static_cast<std::uintptr_t*>(out) = info->dlpi_addr;
        return 1;
      },
      &base);
  char text[64];
  // +1: the stack holds return addresses, which readable_stack steps back from.
  std::snprintf(text, sizeof text, "+0x%lx", static_cast<unsigned long>(address - base + 1));
  return fs::read_symlink("/proc/self/exe").filename().string() + text;
}

TEST(CrashHandler, TheBinaryHasABuildId) {
  EXPECT_EQ(executable_build_id().size(), 40u) << executable_build_id();
}

TEST(CrashHandler, ReadableStackNamesThisBuildsFrames) {
  const std::string frame = frame_of(a_function_of_this_binary());
  const std::string stack = readable_stack(frame + " libc.so.6+0x3c050 0x0", executable_build_id());
  EXPECT_EQ(stack.rfind("#0 " + frame + " in ", 0), 0u) << stack;
  EXPECT_NE(stack.find("a_function_of_this_binary"), std::string::npos) << stack;
  EXPECT_NE(stack.find("crash_handler_test.cpp:"), std::string::npos) << stack;
  EXPECT_NE(stack.find("\n#1 libc.so.6+0x3c050\n#2 0x0\n"), std::string::npos) << stack;
}

TEST(CrashHandler, AnotherBuildsOffsetsStayAsWritten) {
  const std::string frame = frame_of(a_function_of_this_binary());
  EXPECT_EQ(readable_stack(frame + " 0x0", std::string(40, '0')), "#0 " + frame + "\n#1 0x0\n");
  EXPECT_EQ(readable_stack(frame, ""), "#0 " + frame + "\n");
}

TEST(CrashHandler, CrashRecordsAreRewrittenOnce) {
  const fs::path dir = fs::temp_directory_path() / ("crash-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string frame = frame_of(a_function_of_this_binary());
  const std::string record = R"({"message":"fatal signal SIGSEGV","process.build_id":")" +
                             executable_build_id() + R"(","error.stack_trace":")" + frame +
                             R"( 0x0"})";
  std::ofstream(dir / "first-crash-1.ndjson") << record << "\n";
  std::ofstream(dir / "segment-1.ndjson") << record << "\n";
  make_crash_records_readable(dir);
  auto read = [](const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string once = read(dir / "first-crash-1.ndjson");
  EXPECT_NE(once.find(R"("error.stack_trace":"#0 )" + frame + " in "), std::string::npos) << once;
  EXPECT_NE(once.find(R"(\n#1 0x0\n")"), std::string::npos) << once;
  EXPECT_EQ(read(dir / "segment-1.ndjson"), record + "\n");  // only crash records
  make_crash_records_readable(dir);
  EXPECT_EQ(read(dir / "first-crash-1.ndjson"), once);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cppapp::log
