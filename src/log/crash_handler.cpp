#include "log/crash_handler.hpp"

#include <elf.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/stacktrace/frame.hpp>
#include <boost/stacktrace/safe_dump_to.hpp>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

namespace cppapp::log {

namespace {

/// The executable's file name ("cppapp").
std::string executable_name() {
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0) return "cppapp";
  const std::string_view full(path, static_cast<std::size_t>(length));
  return std::string(full.substr(full.rfind('/') + 1));
}

/// The executable's GNU build id in hex (what `file`, `readelf -n` and debuginfod name a build
/// by, and what ties a crash record to its debug file); empty when it has none.
int find_build_id(dl_phdr_info* info, std::size_t, void* out) {
  auto& hex = *static_cast<std::string*>(out);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    if (segment.p_type != PT_NOTE) continue;
    const char* at = reinterpret_cast<const char*>(info->dlpi_addr + segment.p_vaddr);
    const char* const end = at + segment.p_memsz;
    while (at + sizeof(ElfW(Nhdr)) <= end) {
      const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(at);
      const char* name = at + sizeof(ElfW(Nhdr));
      const char* desc = name + ((note->n_namesz + 3) & ~3u);
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0) {
        for (unsigned k = 0; k < note->n_descsz; ++k) {
          char byte[3];
          std::snprintf(byte, sizeof byte, "%02x", static_cast<unsigned char>(desc[k]));
          hex += byte;
        }
        return 1;
      }
      at = desc + ((note->n_descsz + 3) & ~3u);
    }
  }
  return 1;  // only the first module, the executable
}

// Prepared at install time; the handler only copies and writes.
char crash_file[4096];
char crash_record_middle[2048];  ///< the JSON fields that do not change: ,"label":…,"process.pid":…
std::size_t crash_record_middle_length = 0;
char alternate_stack[64 * 1024];

/// The modules (the executable, the shared libraries) loaded at install time, and those loaded
/// later that note_loaded_modules adds: a frame is written as module+offset, which stays true
/// across runs (addresses move with ASLR) and is what addr2line and gdb take with the module's
/// debug file.
struct Module {
  std::uintptr_t begin = 0, end = 0, base = 0;
  char name[64] = {};
};
Module modules[128];
std::size_t module_count = 0;

int note_module(dl_phdr_info* info, std::size_t, void*) {
  if (module_count == std::size(modules)) return 1;
  Module module{.begin = UINTPTR_MAX, .end = 0, .base = info->dlpi_addr, .name = {}};
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    if (segment.p_type != PT_LOAD) continue;
    module.begin = std::min<std::uintptr_t>(module.begin, info->dlpi_addr + segment.p_vaddr);
    module.end =
        std::max<std::uintptr_t>(module.end, info->dlpi_addr + segment.p_vaddr + segment.p_memsz);
  }
  if (module.begin >= module.end) return 0;
  for (std::size_t m = 0; m < module_count; ++m) {
    if (modules[m].begin == module.begin) return 0;  // noted before (note_loaded_modules)
  }
  // The first is the executable itself, which has no name here.
  const std::string path = module_count == 0 ? executable_name() : info->dlpi_name;
  const std::string name =
      path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  std::snprintf(module.name, sizeof module.name, "%s", name.c_str());
  modules[module_count] = module;
  // Counted once filled: a handler running meanwhile sees it whole or not at all.
  std::atomic_ref<std::size_t>(module_count).store(module_count + 1, std::memory_order_release);
  return 0;
}

/// Appends text to buffer at *used (bounded), async-signal-safe.
void put(char* buffer, std::size_t size, std::size_t* used, const char* text, std::size_t length) {
  const std::size_t room = size - 1 - *used;
  const std::size_t take = length < room ? length : room;
  std::memcpy(buffer + *used, text, take);
  *used += take;
}

/// put() for a string literal, its length counted by the compiler.
template <std::size_t N>
void put_literal(char* buffer, std::size_t size, std::size_t* used, const char (&text)[N]) {
  put(buffer, size, used, text, N - 1);
}

void put_hex(char* buffer, std::size_t size, std::size_t* used, std::uintptr_t value) {
  char digits[2 + 2 * sizeof value];
  std::size_t n = 0;
  digits[n++] = '0';
  digits[n++] = 'x';
  bool started = false;
  for (int shift = static_cast<int>(sizeof value * 8) - 4; shift >= 0; shift -= 4) {
    const unsigned nibble = (value >> shift) & 0xF;
    if (nibble != 0 || started || shift == 0) {
      digits[n++] = "0123456789abcdef"[nibble];
      started = true;
    }
  }
  put(buffer, size, used, digits, n);
}

void on_fatal_signal(int signal_number) {
  // Boost.Stacktrace's async-signal-safe capture: raw return addresses, no symbol lookup.
  boost::stacktrace::frame::native_frame_ptr_t captured[64];
  int depth = static_cast<int>(boost::stacktrace::safe_dump_to(0, captured, sizeof captured));
  while (depth > 0 && captured[depth - 1] == nullptr) --depth;  // the dump's end marker
  void* frames[64];
  for (int i = 0; i < depth; ++i) frames[i] = const_cast<void*>(captured[i]);
  const char* name = sigabbrev_np(signal_number);

  // The first line in one write: stdout and stderr often share a pipe, and the console thread's
  // lines must not land inside it.
  char header[96];
  std::size_t header_used = 0;
  put_literal(header, sizeof header, &header_used, "FATAL: cppapp received signal SIG");
  put(header, sizeof header, &header_used, name, std::strlen(name));
  put_literal(header, sizeof header, &header_used, "; backtrace:\n");
  [[maybe_unused]] ssize_t ignored = write(STDERR_FILENO, header, header_used);
  backtrace_symbols_fd(frames, depth, STDERR_FILENO);

  static char record[8192];
  std::size_t used = 0;
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  char timestamp[kIso8601Size];
  const std::size_t timestamp_length = format_iso8601_utc(
      static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000, timestamp);
  put_literal(record, sizeof record, &used, "{\"@timestamp\":\"");
  put(record, sizeof record, &used, timestamp, timestamp_length);
  put_literal(record, sizeof record, &used, "\",\"message\":\"fatal signal SIG");
  put(record, sizeof record, &used, name, std::strlen(name));
  put_literal(record, sizeof record, &used, "\"");
  put(record, sizeof record, &used, crash_record_middle, crash_record_middle_length);
  put_literal(record, sizeof record, &used, ",\"error.stack_trace\":\"");
  for (int i = 0; i < depth; ++i) {
    if (i > 0) put_literal(record, sizeof record, &used, " ");
    const auto address = reinterpret_cast<std::uintptr_t>(frames[i]);
    const Module* module = nullptr;
    for (std::size_t m = 0; m < module_count && module == nullptr; ++m) {
      if (address >= modules[m].begin && address < modules[m].end) module = &modules[m];
    }
    if (module != nullptr) {
      put(record, sizeof record, &used, module->name, std::strlen(module->name));
      put_literal(record, sizeof record, &used, "+");
      put_hex(record, sizeof record, &used, address - module->base);
    } else {
      put_hex(record, sizeof record, &used, address);
    }
  }
  put_literal(record, sizeof record, &used, "\"}\n");

  const int fd = crash_file[0] == '\0'
                     ? -1
                     : open(crash_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd >= 0) {
    ignored = write(fd, record, used);
    close(fd);
  }
  // Let the signal do what it would have done (core dump, exit status).
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

}  // namespace

void install_crash_handler(const std::filesystem::path& spool_dir, const Identity& identity,
                           std::uint64_t boot_id) {
  if (!spool_dir.empty()) {
    const std::string file =
        (spool_dir / ("first-crash-" + std::to_string(identity.pid) + ".ndjson")).string();
    std::snprintf(crash_file, sizeof crash_file, "%s", file.c_str());
    std::error_code ignored;
    std::filesystem::create_directories(spool_dir, ignored);
  }

  boost::json::object fields;
  fields["level"] = "critical";
  fields["log.level"] = "critical";
  fields["label"] = identity.node_name;
  fields["service.name"] = identity.service_name;
  fields["service.node.name"] = identity.node_name;
  fields["host.hostname"] = identity.hostname;
  fields["process.pid"] = identity.pid;
  fields["event.dataset"] = "cppapp.log";
  char event_id[64];
  std::snprintf(event_id, sizeof event_id, "%016lx-crash", static_cast<unsigned long>(boot_id));
  fields["event.id"] = event_id;
  if (const std::string build_id = executable_build_id(); !build_id.empty()) {
    fields["process.build_id"] = build_id;
  }
  module_count = 0;
  dl_iterate_phdr(note_module, nullptr);
  std::string middle = boost::json::serialize(fields);  // {"level":…}
  middle.front() = ',';
  middle.pop_back();
  std::snprintf(crash_record_middle, sizeof crash_record_middle, "%s", middle.c_str());
  crash_record_middle_length = std::strlen(crash_record_middle);

  // The unwinder and backtrace_symbols_fd may load or set up what they need on first use, which
  // allocates: do it now, not in the handler.
  boost::stacktrace::frame::native_frame_ptr_t warm_up[2];
  boost::stacktrace::safe_dump_to(0, warm_up, sizeof warm_up);

  stack_t stack{};
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof alternate_stack;
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
    sigaction(signal_number, &action, nullptr);
}

void note_loaded_modules() {
  dl_iterate_phdr(note_module, nullptr);
}

std::string executable_build_id() {
  std::string build_id;
  dl_iterate_phdr(find_build_id, &build_id);
  return build_id;
}

std::string readable_stack(std::string_view stack, std::string_view build_id) {
  const std::string our_build = executable_build_id();
  const std::string exe = executable_name();
  std::uintptr_t exe_base = 0;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* out) {
        *static_cast<std::uintptr_t*>(out) = info->dlpi_addr;
        return 1;
      },
      &exe_base);
  const bool same_build = !build_id.empty() && build_id == our_build;

  std::string out;
  std::istringstream frames{std::string(stack)};
  std::string frame;
  for (int i = 0; frames >> frame; ++i) {
    out += '#' + std::to_string(i) + ' ' + frame;
    const std::size_t plus = frame.find("+0x");
    if (same_build && plus != std::string::npos && frame.compare(0, plus, exe) == 0) {
      const std::uintptr_t offset = std::strtoull(frame.c_str() + plus + 3, nullptr, 16);
      // A return address points after the call: look up the call itself.
      const boost::stacktrace::frame resolved(
          reinterpret_cast<boost::stacktrace::frame::native_frame_ptr_t>(exe_base + offset - 1));
      const std::string function = resolved.name();
      if (!function.empty()) out += " in " + function;
      const std::string file = resolved.source_file();
      if (!file.empty()) out += " at " + file + ':' + std::to_string(resolved.source_line());
    }
    out += '\n';
  }
  return out;
}

void make_crash_records_readable(const std::filesystem::path& spool_dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(spool_dir, ec)) {
    const std::string file_name = entry.path().filename().string();
    if (!file_name.starts_with("first-crash-")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string rewritten, line;
    bool changed = false;
    while (std::getline(in, line)) {
      boost::system::error_code error;
      boost::json::value record = boost::json::parse(line, error);
      boost::json::object* fields = error ? nullptr : record.if_object();
      const boost::json::value* stack = fields ? fields->if_contains("error.stack_trace") : nullptr;
      // Written by the handler: one line of frames; once readable, one line per frame.
      if (stack && stack->is_string() &&
          stack->as_string().find('\n') == boost::json::string::npos) {
        const boost::json::value* build = fields->if_contains("process.build_id");
        (*fields)["error.stack_trace"] = readable_stack(
            stack->as_string(), build && build->is_string() ? std::string_view(build->as_string())
                                                            : std::string_view());
        line = boost::json::serialize(record);
        changed = true;
      }
      rewritten += line + '\n';
    }
    in.close();
    if (!changed) continue;
    const auto temporary = entry.path().string() + ".tmp";
    std::ofstream(temporary, std::ios::binary | std::ios::trunc) << rewritten;
    std::filesystem::rename(temporary, entry.path(), ec);
  }
}

}  // namespace cppapp::log
