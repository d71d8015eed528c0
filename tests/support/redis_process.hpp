// redis-server as a test's own process (Debian's package): on a free 127.0.0.1 port, no
// persistence, ready once it answers PING; kill() ends it as a crash would, start() brings it
// back on the same port. For replicas_test.cpp and the replicas benchmark.
#pragma once

#include "serve_support.hpp"
#include "subprocess.hpp"

#include <sys/stat.h>

namespace serve_support {

inline std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// redis-server on 127.0.0.1, no persistence, ended by the test (SIGKILL: as a crash would).
class RedisServer {
public:
    RedisServer() : port_(free_port()) { start(); }
    ~RedisServer() { kill(); }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    [[nodiscard]] std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

    void start() {
        struct stat st {};
        REQUIRE_MESSAGE(::stat(kPath, &st) == 0,
                        "redis-server not found at " << kPath << ": run scripts/install-deps.sh");
        tjtest::ExecArgs exec(
            {kPath, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning"},
            {});
        pid_ = fork();
        if (pid_ == 0) {
            const int devnull = ::open("/dev/null", O_RDWR);
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
            execve(exec.path(), exec.argv(), exec.envp());
            _exit(127);
        }
        REQUIRE(pid_ > 0);
        // Ready when it answers PING (bounded).
        const auto deadline = std::chrono::steady_clock::now() + 15s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (ping()) {
                return;
            }
            std::this_thread::sleep_for(20ms);
        }
        FAIL("redis-server did not start on port " << port_);
    }

    // SIGSTOP / SIGCONT: a Redis that hangs (connections stay open, nothing answers), then not.
    void pause() const { ::kill(pid_, SIGSTOP); }
    void resume() const { ::kill(pid_, SIGCONT); }

    void kill() {
        if (pid_ <= 0) {
            return;
        }
        ::kill(pid_, SIGKILL);
        ::kill(pid_, SIGCONT);  // a paused process dies on SIGKILL too, but say it
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

private:
    static constexpr const char* kPath = "/usr/bin/redis-server";

    bool ping() const {
        try {
            const int fd = connect_to(port_);
            send_all(fd, "PING\r\n");
            char buf[16] = {};
            pollfd p{fd, POLLIN, 0};
            const bool ok = ::poll(&p, 1, 500) == 1 && ::recv(fd, buf, sizeof buf - 1, 0) > 0 &&
                            std::string(buf).starts_with("+PONG");
            ::close(fd);
            return ok;
        } catch (const std::exception&) {
            return false;
        }
    }

    std::uint16_t port_;
    pid_t pid_ = -1;
};

}  // namespace serve_support
