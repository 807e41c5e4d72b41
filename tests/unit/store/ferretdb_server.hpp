// Test helper: a FerretDB server started through scripts/ferretdb on a free loopback port.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace cppapp::store::testing {

/// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A loopback port nobody listens on right now.
int free_loopback_port();

/// Runs `scripts/ferretdb install`; throws std::runtime_error (with the reason) when it fails.
void install_ferretdb();

/// One FerretDB process; state in `dir`, listening on 127.0.0.1:`port`.
class FerretDbServer {
 public:
  FerretDbServer(std::filesystem::path dir, int port);
  ~FerretDbServer();
  FerretDbServer(const FerretDbServer&) = delete;
  FerretDbServer& operator=(const FerretDbServer&) = delete;

  /// Starts it and returns once it accepts connections; throws std::runtime_error on failure.
  void start();
  /// Stops it gracefully (resuming it first if paused) and waits for it to exit.
  void stop();
  /// SIGKILL: the database vanishes at once.
  void kill_hard();
  /// SIGSTOP: the database hangs with its sockets open.
  void pause();
  /// SIGCONT: it answers again.
  void resume();

  int port() const { return port_; }
  /// mongodb://127.0.0.1:PORT/DATABASE
  std::string uri(const std::string& database) const;

 private:
  std::filesystem::path dir_;
  int port_;
  pid_t script_pid_ = -1;
  pid_t server_pid_ = -1;
};

}  // namespace cppapp::store::testing
