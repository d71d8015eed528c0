// A loopback TCP port that refuses every connection: bound (so nothing else takes it) but
// never listening. Tests point circleci.api_url at it so that a query never leaves the
// machine and fails fast and deterministically ("CircleCI unreachable").
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace tjtest {

class ClosedPort {
public:
    // listen_silently: listen, never accept. Connections then open (the kernel's backlog takes
    // them) and the TLS handshake waits forever: every query stays in flight until its deadline.
    explicit ClosedPort(bool listen_silently = false) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) {
            throw std::runtime_error("ClosedPort: socket failed");
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        socklen_t len = sizeof addr;
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            ::close(fd_);
            throw std::runtime_error("ClosedPort: bind failed");
        }
        port_ = ntohs(addr.sin_port);
        if (listen_silently && ::listen(fd_, 4096) != 0) {
            ::close(fd_);
            throw std::runtime_error("ClosedPort: listen failed");
        }
    }
    ~ClosedPort() { ::close(fd_); }
    ClosedPort(const ClosedPort&) = delete;
    ClosedPort& operator=(const ClosedPort&) = delete;

    [[nodiscard]] int port() const noexcept { return port_; }
    // An https API base URL on this port.
    [[nodiscard]] std::string api_url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/api/v2"; }
    // Config YAML lines that keep a query on this machine: the API here, no retries.
    [[nodiscard]] std::string config_yaml() const {
        return "circleci:\n  api_url: " + api_url() + "\nhttp:\n  max_retries: 0\n";
    }

private:
    int fd_ = -1;
    int port_ = 0;
};

}  // namespace tjtest
