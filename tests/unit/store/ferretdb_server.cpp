#include "ferretdb_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

namespace cppapp::store::testing {
namespace {

// tests/data is <repo>/tests/data; the script is <repo>/scripts/ferretdb.
std::string script_path() {
  return (std::filesystem::path(CPPAPP_TEST_DATA_DIR) / ".." / ".." / "scripts" / "ferretdb")
      .lexically_normal()
      .string();
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "cppapp-store-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

void install_ferretdb() {
  const std::string command = script_path() + " install";
  const int status = std::system(command.c_str());
  if (status != 0) {
    throw std::runtime_error("`" + command + "` failed (status " + std::to_string(status) +
                             "); FerretDB is required for these tests, see its message above");
  }
}

FerretDbServer::FerretDbServer(std::filesystem::path dir, int port)
    : dir_(std::move(dir)), port_(port) {}

FerretDbServer::~FerretDbServer() {
  stop();
}

std::string FerretDbServer::uri(const std::string& database) const {
  return "mongodb://127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void FerretDbServer::start() {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const std::string script = script_path();
  const std::string dir = dir_.string();
  const std::string port = std::to_string(port_);
  script_pid_ = fork();
  if (script_pid_ < 0) throw std::runtime_error("fork failed");
  if (script_pid_ == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    execl("/bin/bash", "bash", script.c_str(), "start", dir.c_str(), port.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipe_fds[1]);

  // Read stdout until the ready line, "FerretDB ready on 127.0.0.1:PORT (pid N)".
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (output.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd poll_fd{pipe_fds[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[256];
    const ssize_t got = read(pipe_fds[0], buffer, sizeof buffer);
    if (got <= 0) break;
    output.append(buffer, static_cast<std::size_t>(got));
  }
  close(pipe_fds[0]);
  const std::size_t pid_at = output.find("(pid ");
  if (output.rfind("FerretDB ready", 0) != 0 || pid_at == std::string::npos) {
    stop();
    throw std::runtime_error("FerretDB did not start: '" + output + "'");
  }
  server_pid_ = static_cast<pid_t>(std::stol(output.substr(pid_at + 5)));
}

void FerretDbServer::stop() {
  if (script_pid_ <= 0) return;
  if (server_pid_ > 0) kill(server_pid_, SIGCONT);
  kill(script_pid_, SIGTERM);  // the script forwards it to FerretDB and waits for it
  int status = 0;
  waitpid(script_pid_, &status, 0);
  script_pid_ = -1;
  server_pid_ = -1;
}

void FerretDbServer::kill_hard() {
  if (server_pid_ > 0) kill(server_pid_, SIGKILL);
  if (script_pid_ > 0) {
    int status = 0;
    waitpid(script_pid_, &status, 0);  // the script exits once its FerretDB is gone
  }
  script_pid_ = -1;
  server_pid_ = -1;
}

void FerretDbServer::pause() {
  if (server_pid_ > 0) kill(server_pid_, SIGSTOP);
}

void FerretDbServer::resume() {
  if (server_pid_ > 0) kill(server_pid_, SIGCONT);
}

}  // namespace cppapp::store::testing
