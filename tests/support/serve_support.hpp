// What the tests of `tj-host serve` share (serve_test.cpp, replicas_test.cpp): a blocking
// HTTP/1.1 client over raw sockets (so that malformed and slow requests can be sent as they
// are), a TLS one, the tj-host serve process (started on 127.0.0.1:0, ended with SIGTERM and
// checked to exit 0), and the CircleCI test server with a config pointing the plugin at it.
#pragma once

#include <doctest/doctest.h>

#include "test_certs.hpp"
#include "test_server.hpp"
#include "text.hpp"

#include <boost/json.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace serve_support {

using tjtest::contains;

namespace json = boost::json;
using namespace std::chrono_literals;

inline const std::string kToken = "test-token";  // the test server's Circle-Token
inline const std::string kServerToken = "serve-secret-7f3a";

inline std::string temp_path(const std::string& name) {
    static std::atomic<int> n{0};
    return "/tmp/tjc_serve_" + std::to_string(getpid()) + "_" + std::to_string(++n) + "_" + name;
}

inline std::string write_file(const std::string& name, const std::string& content) {
    const auto path = temp_path(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// ---- a blocking HTTP/1.1 client ----

struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string raw;
    [[nodiscard]] json::value json() const {
        boost::system::error_code ec;
        auto v = json::parse(body, ec);
        if (ec) {
            throw std::runtime_error("not JSON: " + body);
        }
        return v;
    }
    [[nodiscard]] std::string header(const std::string& k) const {
        auto it = headers.find(k);
        return it == headers.end() ? std::string() : it->second;
    }
};

inline Response parse_response(const std::string& raw) {
    Response r;
    r.raw = raw;
    const auto end = raw.find("\r\n\r\n");
    if (raw.size() < 12 || end == std::string::npos) {
        return r;
    }
    r.status = std::stoi(raw.substr(9, 3));
    std::istringstream lines(raw.substr(0, end));
    std::string line;
    std::getline(lines, line);
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        std::string k = line.substr(0, colon);
        for (auto& c : k) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        auto v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') {
            v.erase(0, 1);
        }
        r.headers[k] = v;
    }
    r.body = raw.substr(end + 4);
    return r;
}

inline int connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw std::runtime_error("socket failed");
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("connect failed: " + std::string(strerror(errno)));
    }
    return fd;
}

inline void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const auto n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            return;  // the server may close early (413): what it sent is still read
        }
        sent += static_cast<std::size_t>(n);
    }
}

// Reads until the peer closes (or the safety limit passes).
inline std::string read_all(int fd, std::chrono::milliseconds limit = 60s) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            break;
        }
        pollfd p{fd, POLLIN, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        char buf[8192];
        const auto got = ::recv(fd, buf, sizeof buf, 0);
        if (got <= 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(got));
    }
    return out;
}

inline std::string request_text(const std::string& method, const std::string& target, const std::string& body,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) {
        req += k + ": " + v + "\r\n";
    }
    if (!body.empty() || method == "POST") {
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    return req + "\r\n" + body;
}

inline Response http(std::uint16_t port, const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    const int fd = connect_to(port);
    send_all(fd, request_text(method, target, body, headers));
    auto raw = read_all(fd);
    ::close(fd);
    return parse_response(raw);
}

// The same over TLS, trusting only the test CA.
inline Response https(std::uint16_t port, const std::string& ca_file, const std::string& method,
                      const std::string& target, const std::string& body = "") {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    REQUIRE(ctx);
    REQUIRE(SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) == 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    const int fd = connect_to(port);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set1_host(ssl, "127.0.0.1");
    Response r;
    if (SSL_connect(ssl) == 1) {
        const auto req = request_text(method, target, body, {});
        SSL_write(ssl, req.data(), static_cast<int>(req.size()));
        std::string raw;
        char buf[8192];
        int n = 0;
        while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) {
            raw.append(buf, static_cast<std::size_t>(n));
        }
        r = parse_response(raw);
    }
    SSL_free(ssl);
    ::close(fd);
    SSL_CTX_free(ctx);
    return r;
}

inline std::string context_of(const std::string& repo, const std::string& hash = "") {
    json::object ctx{{"type", "github"}, {"url", "https://github.com/" + repo}, {"page", {{"repository", repo}}}};
    if (!hash.empty()) {
        ctx["page"].as_object()["section"] = {{"name", "code"}, {"hash", hash}};
    }
    return json::serialize(ctx);
}

inline std::vector<std::string> contents(const json::value& response) {
    std::vector<std::string> out;
    for (const auto& c : response.at("data").as_array()) {
        out.emplace_back(c.at("content").as_string());
    }
    return out;
}

inline bool any_starts_with(const std::vector<std::string>& v, const std::string& prefix) {
    for (const auto& s : v) {
        if (s.starts_with(prefix)) {
            return true;
        }
    }
    return false;
}

// ---- the tj-host serve process ----

class Serve {
public:
    Serve(std::vector<std::string> args, std::map<std::string, std::string> env = {}) : err_path_(temp_path("stderr")) {
        args.insert(args.begin(), {TJ_HOST_PATH, "serve", "--listen", "127.0.0.1:0"});
        std::map<std::string, std::string> all;
        for (char** e = environ; e && *e; ++e) {
            std::string kv = *e;
            const auto eq = kv.find('=');
            if (eq != std::string::npos) {
                all[kv.substr(0, eq)] = kv.substr(eq + 1);
            }
        }
        all.erase("TOOLJUMP_SERVER_TOKEN");
        for (auto& [k, v] : env) {
            all[k] = v;
        }
        std::vector<std::string> env_strings;
        for (const auto& [k, v] : all) {
            env_strings.push_back(k + "=" + v);
        }
        std::vector<char*> envp;
        for (auto& s : env_strings) {
            envp.push_back(s.data());
        }
        envp.push_back(nullptr);
        std::vector<char*> argp;
        for (auto& a : args) {
            argp.push_back(a.data());
        }
        argp.push_back(nullptr);
        int out[2];
        if (pipe2(out, O_CLOEXEC) != 0) {
            throw std::runtime_error("pipe failed");
        }
        const int err_fd = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        pid_ = fork();
        if (pid_ == 0) {
            dup2(out[1], STDOUT_FILENO);
            dup2(err_fd, STDERR_FILENO);
            execve(argp[0], argp.data(), envp.data());
            _exit(127);
        }
        ::close(out[1]);
        ::close(err_fd);
        out_fd_ = out[0];
        // The first stdout line says where it listens.
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            pollfd p{out_fd_, POLLIN, 0};
            if (::poll(&p, 1, 200) <= 0) {
                continue;
            }
            char c[256];
            const auto n = ::read(out_fd_, c, sizeof c);
            if (n <= 0) {
                break;
            }
            line.append(c, static_cast<std::size_t>(n));
        }
        if (line.find('\n') == std::string::npos) {
            // Not listening: do not leave the child behind the failed test.
            ::kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            exited_ = true;
            FAIL("tj-host serve did not start; stderr: " << stderr_text());
        }
        const auto v = json::parse(line.substr(0, line.find('\n')));
        url_ = std::string(v.at("listening").as_string());
        port_ = static_cast<std::uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
    }
    // Every server ends as an operator ends it, with SIGTERM, and must exit 0: under the
    // sanitizers that also says no leak, race or memory error was found in it.
    ~Serve() {
        if (pid_ > 0 && !exited_) {
            ::kill(pid_, SIGTERM);
            const int code = wait_exit(60s);
            if (code == -1) {
                ::kill(pid_, SIGKILL);
                int st = 0;
                waitpid(pid_, &st, 0);
            }
            CHECK_MESSAGE(code == 0, "tj-host serve did not exit 0 on SIGTERM (" << code << "); stderr:\n"
                                                                                 << stderr_text());
        }
        if (out_fd_ >= 0) {
            ::close(out_fd_);
        }
        std::remove(err_path_.c_str());
    }
    Serve(const Serve&) = delete;
    Serve& operator=(const Serve&) = delete;

    std::uint16_t port() const { return port_; }
    const std::string& url() const { return url_; }
    std::string stderr_text() const { return read_file(err_path_); }
    void signal(int sig) const { ::kill(pid_, sig); }
    // The exit code, or -1 if it did not exit within the limit (then it is killed).
    int wait_exit(std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        int st = 0;
        while (std::chrono::steady_clock::now() < deadline) {
            const auto r = waitpid(pid_, &st, WNOHANG);
            if (r == pid_) {
                exited_ = true;
                return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            }
            std::this_thread::sleep_for(20ms);
        }
        return -1;
    }

private:
    std::string err_path_;
    pid_t pid_ = -1;
    int out_fd_ = -1;
    bool exited_ = false;
    std::string url_;
    std::uint16_t port_ = 0;
};

// The CircleCI test server and a config pointing the plugin at it.
struct Upstream {
    tjc::testing::TestServer server{tjc::testing::TestServerOptions{TJC_FIXTURES_DIR "/world.json"}};
    std::string config = write_file("circleci.yaml", "circleci:\n  api_url: " + server.base_url() +
                                                         "\ntls:\n  ca_file: " + server.ca_file() + "\n");
    std::map<std::string, std::string> env{{"INTEGRATION_CIRCLECI_TOKEN", kToken}};
    ~Upstream() { std::remove(config.c_str()); }
};

inline std::vector<std::string> plugin_args(const Upstream& up, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--plugin", TJC_PLUGIN_PATH, "--config", up.config};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

}  // namespace serve_support
