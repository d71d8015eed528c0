// `tj-host serve` over real HTTP: the real tj-host process, the real plugin (and fixture
// plugins) against the CircleCI test server on loopback, and a small blocking HTTP client
// (raw sockets, so that malformed and slow requests can be sent as they are).
#include <doctest/doctest.h>

#include "test_certs.hpp"
#include "test_server.hpp"

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

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::string kToken = "test-token";  // the test server's Circle-Token
const std::string kServerToken = "serve-secret-7f3a";

std::string temp_path(const std::string& name) {
    static int n = 0;
    return "/tmp/tjc_serve_" + std::to_string(getpid()) + "_" + std::to_string(++n) + "_" + name;
}

std::string write_file(const std::string& name, const std::string& content) {
    const auto path = temp_path(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// ---- a blocking HTTP/1.1 client ----

struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string raw;
    [[nodiscard]] json::value json() const {
        boost::system::error_code ec;
        auto v = json::parse(body, ec);
        if (ec) throw std::runtime_error("not JSON: " + body);
        return v;
    }
    [[nodiscard]] std::string header(const std::string& k) const {
        auto it = headers.find(k);
        return it == headers.end() ? std::string() : it->second;
    }
};

Response parse_response(const std::string& raw) {
    Response r;
    r.raw = raw;
    const auto end = raw.find("\r\n\r\n");
    if (raw.size() < 12 || end == std::string::npos) return r;
    r.status = std::stoi(raw.substr(9, 3));
    std::istringstream lines(raw.substr(0, end));
    std::string line;
    std::getline(lines, line);
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string k = line.substr(0, colon);
        for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        r.headers[k] = v;
    }
    r.body = raw.substr(end + 4);
    return r;
}

int connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
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

void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const auto n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the server may close early (413): what it sent is still read
        sent += static_cast<std::size_t>(n);
    }
}

// Reads until the peer closes (or the safety limit passes).
std::string read_all(int fd, std::chrono::milliseconds limit = 60s) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        char buf[8192];
        const auto got = ::recv(fd, buf, sizeof buf, 0);
        if (got <= 0) break;
        out.append(buf, static_cast<std::size_t>(got));
    }
    return out;
}

std::string request_text(const std::string& method, const std::string& target, const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST") req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    return req + "\r\n" + body;
}

Response http(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body = "",
              const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    const int fd = connect_to(port);
    send_all(fd, request_text(method, target, body, headers));
    auto raw = read_all(fd);
    ::close(fd);
    return parse_response(raw);
}

// The same over TLS, trusting only the test CA.
Response https(std::uint16_t port, const std::string& ca_file, const std::string& method, const std::string& target,
               const std::string& body = "") {
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
        while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) raw.append(buf, static_cast<std::size_t>(n));
        r = parse_response(raw);
    }
    SSL_free(ssl);
    ::close(fd);
    SSL_CTX_free(ctx);
    return r;
}

std::string context_of(const std::string& repo, const std::string& hash = "") {
    json::object ctx{{"type", "github"}, {"url", "https://github.com/" + repo}, {"page", {{"repository", repo}}}};
    if (!hash.empty()) ctx["page"].as_object()["section"] = {{"name", "code"}, {"hash", hash}};
    return json::serialize(ctx);
}

std::vector<std::string> contents(const json::value& response) {
    std::vector<std::string> out;
    for (const auto& c : response.at("data").as_array()) out.emplace_back(c.at("content").as_string());
    return out;
}

bool any_starts_with(const std::vector<std::string>& v, const std::string& prefix) {
    for (const auto& s : v) {
        if (s.starts_with(prefix)) return true;
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
            if (eq != std::string::npos) all[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
        all.erase("TOOLJUMP_SERVER_TOKEN");
        for (auto& [k, v] : env) all[k] = v;
        std::vector<std::string> env_strings;
        for (const auto& [k, v] : all) env_strings.push_back(k + "=" + v);
        std::vector<char*> envp;
        for (auto& s : env_strings) envp.push_back(s.data());
        envp.push_back(nullptr);
        std::vector<char*> argp;
        for (auto& a : args) argp.push_back(a.data());
        argp.push_back(nullptr);
        int out[2];
        if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
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
            if (::poll(&p, 1, 200) <= 0) continue;
            char c[256];
            const auto n = ::read(out_fd_, c, sizeof c);
            if (n <= 0) break;
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
            CHECK_MESSAGE(code == 0, "tj-host serve did not exit 0 on SIGTERM (" << code << "); stderr:\n" << stderr_text());
        }
        if (out_fd_ >= 0) ::close(out_fd_);
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

std::vector<std::string> plugin_args(const Upstream& up, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--plugin", TJC_PLUGIN_PATH, "--config", up.config};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

}  // namespace

TEST_CASE("POST /context answers as ToolJump does, a second query is a cache hit, /config, /health, /metrics") {
    Upstream up;
    Serve serve(plugin_args(up), up.env);
    INFO("stderr: " << serve.stderr_text());
    CHECK(serve.url().starts_with("http://127.0.0.1:"));

    auto r = http(serve.port(), "POST", "/context", context_of("acme/passing"));
    REQUIRE(r.status == 200);
    CHECK(contains(r.header("content-type"), "application/json"));
    auto v = r.json();
    const auto cards = contents(v);
    INFO(r.body);
    CHECK(any_starts_with(cards, "CircleCI main: passed"));
    CHECK(v.at("count") == v.at("data").as_array().size());
    CHECK(v.at("cacheHits") == 0);
    CHECK(v.at("failedCount") == 0);
    CHECK(v.at("integrationNames") == json::array{"circleci"});
    CHECK(v.at("timestamp").as_string().size() == 24);  // 2026-11-28T12:00:00.000Z

    const auto upstream_before = up.server.requests();
    auto again = http(serve.port(), "POST", "/context", context_of("acme/passing")).json();
    CHECK(again.at("cacheHits") == 1);
    CHECK(again.at("data") == v.at("data"));
    CHECK(up.server.requests() == upstream_before);  // answered by the host cache

    // Another branch is another key (the manifest's cacheKey holds page.section.hash).
    auto feature = http(serve.port(), "POST", "/context", context_of("acme/passing", "feature/login")).json();
    CHECK(feature.at("cacheHits") == 0);

    // A page from which nothing maps: the plugin runs (it matches every page) and answers [].
    const auto before_aws = up.server.requests();
    auto aws = http(serve.port(), "POST", "/context", R"({"type":"aws","url":"https://console.aws.amazon.com/ec2"})").json();
    CHECK(aws.at("data").as_array().empty());
    CHECK(aws.at("count") == 0);
    CHECK(aws.at("integrationNames") == json::array{"circleci"});
    CHECK(up.server.requests() == before_aws);

    auto config = http(serve.port(), "GET", "/config");
    REQUIRE(config.status == 200);
    const auto cv = config.json();
    std::map<std::string, bool> enabled;
    for (const auto& a : cv.at("adapters").as_array()) {
        enabled[std::string(a.at("name").as_string())] = a.at("enabled").as_bool();
        CHECK(a.at("urls").is_array());
        CHECK(a.at("description").is_string());
    }
    // The plugin's manifest matches every context type.
    CHECK(enabled == std::map<std::string, bool>{{"aws", true}, {"generic", true}, {"github", true}});
    CHECK(cv.at("customDomains") == json::array{});
    CHECK(cv.at("timestamp").is_string());

    auto health = http(serve.port(), "GET", "/health");
    REQUIRE(health.status == 200);
    CHECK(health.json().at("status") == "ok");
    CHECK(health.json().at("integrations") == json::array{"circleci"});

    auto metrics = http(serve.port(), "GET", "/metrics");
    REQUIRE(metrics.status == 200);
    CHECK(contains(metrics.header("content-type"), "text/plain; version=0.0.4"));
    const auto& m = metrics.body;
    INFO(m);
    for (const char* name : {"# TYPE tj_host_http_requests_total counter", "# TYPE tj_host_http_request_duration_seconds histogram",
                             "# TYPE tj_host_integration_queries_total counter",
                             "# TYPE tj_host_integration_query_duration_seconds histogram",
                             "# TYPE tj_host_result_cache_hits_total counter", "# TYPE tj_host_result_cache_misses_total counter"}) {
        CAPTURE(name);
        CHECK(contains(m, name));
    }
    CHECK(contains(m, "tj_host_http_requests_total{endpoint=\"context\",code=\"200\"} 4\n"));
    CHECK(contains(m, "tj_host_integration_queries_total{integration=\"circleci\",outcome=\"cached\"} 1\n"));
    // The AWS page ran the plugin too (it matches every page) and got [].
    CHECK(contains(m, "tj_host_integration_queries_total{integration=\"circleci\",outcome=\"ok\"} 3\n"));
    CHECK(contains(m, "tj_host_result_cache_hits_total{integration=\"circleci\"} 1\n"));
    CHECK(contains(m, "tj_host_result_cache_misses_total{integration=\"circleci\"} 3\n"));
    CHECK(contains(m, "tj_host_integration_query_duration_seconds_count{integration=\"circleci\"} 3\n"));
    // The plugin's own counters (its stats api): the two queries the host cache did not answer.
    for (const char* name : {"# TYPE tj_plugin_queries_total counter", "# TYPE tj_plugin_cache_total counter",
                             "# TYPE tj_plugin_upstream_requests_total counter",
                             "# TYPE tj_plugin_upstream_transport_errors_total counter"}) {
        CAPTURE(name);
        CHECK(contains(m, name));
    }
    // Three queries reached the plugin. The hash-only "feature/login" context (no /tree/ in
    // its URL) shows the default branch, which the plugin had cached: a hit. The AWS page
    // mapped nothing, so it met no cache.
    CHECK(contains(m, "tj_plugin_queries_total{integration=\"circleci\"} 3\n"));
    CHECK(contains(m, "tj_plugin_cache_total{integration=\"circleci\",result=\"miss\"} 1\n"));
    CHECK(contains(m, "tj_plugin_cache_total{integration=\"circleci\",result=\"hit\"} 1\n"));
    CHECK(contains(m, "tj_plugin_upstream_requests_total{integration=\"circleci\",status=\"200\"} "));
    CHECK(contains(m, "tj_plugin_upstream_transport_errors_total{integration=\"circleci\"} 0\n"));
    // The counters move: the host's on a cached query, the plugin's on one that reaches it.
    http(serve.port(), "POST", "/context", context_of("acme/passing"));
    CHECK(contains(http(serve.port(), "GET", "/metrics").body,
                   "tj_host_integration_queries_total{integration=\"circleci\",outcome=\"cached\"} 2\n"));
    http(serve.port(), "POST", "/context", context_of("acme/failing"));
    const auto moved = http(serve.port(), "GET", "/metrics").body;
    CHECK(contains(moved, "tj_plugin_queries_total{integration=\"circleci\"} 4\n"));
    CHECK(contains(moved, "tj_plugin_cache_total{integration=\"circleci\",result=\"miss\"} 2\n"));
    // HEAD: GET's header (its Content-Length too), no body.
    const auto get_health = http(serve.port(), "GET", "/health");
    const auto head_health = http(serve.port(), "HEAD", "/health");
    CHECK(head_health.status == 200);
    CHECK(head_health.body.empty());
    CHECK(head_health.header("content-length") == std::to_string(get_health.body.size()));
    CHECK(head_health.header("content-type") == get_health.header("content-type"));
    CHECK_FALSE(contains(serve.stderr_text(), kToken));
}

TEST_CASE("every error over HTTP: malformed JSON, missing fields, oversized body, wrong method, unknown path") {
    Upstream up;
    Serve serve(plugin_args(up), up.env);
    INFO("stderr: " << serve.stderr_text());

    auto r = http(serve.port(), "POST", "/context", "{\"type\": \"github\", ");
    REQUIRE(r.status == 400);
    auto v = r.json();
    CHECK(v.at("error") == "Invalid request body");
    CHECK(v.at("details").at(0).at("path") == "");
    CHECK(v.at("details").at(0).at("message").as_string().starts_with("Malformed JSON: "));

    r = http(serve.port(), "POST", "/context", R"({"url":42})");
    REQUIRE(r.status == 400);
    v = r.json();
    REQUIRE(v.at("details").as_array().size() == 2);
    CHECK(v.at("details").at(0) == json::value(json::object{{"path", "type"}, {"message", "Required"}}));
    CHECK(v.at("details").at(1) == json::value(json::object{{"path", "url"}, {"message", "Expected string, received number"}}));

    r = http(serve.port(), "POST", "/context", "[]");
    CHECK(r.status == 400);
    r = http(serve.port(), "POST", "/context", "");
    CHECK(r.status == 400);

    // Over 100 kB: refused from its Content-Length, before the body is read.
    std::string big = R"({"type":"github","url":"https://github.com/a/b","pad":")" + std::string(150 * 1024, 'x') + "\"}";
    r = http(serve.port(), "POST", "/context", big);
    CHECK(r.status == 413);
    CHECK(contains(r.body, "larger than 102400 bytes"));
    // Chunked, with no length given up front: refused once 100 kB have arrived.
    {
        const int fd = connect_to(serve.port());
        std::string req = "POST /context HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        for (int i = 0; i < 30; ++i) req += "1000\r\n" + std::string(0x1000, 'y') + "\r\n";
        req += "0\r\n\r\n";
        send_all(fd, req);
        const auto chunked = parse_response(read_all(fd));
        ::close(fd);
        CHECK(chunked.status == 413);
    }
    // Just under the limit is fine (a real context with padding).
    std::string fits = R"({"type":"github","url":"https://github.com/acme/passing","pad":")" + std::string(90 * 1024, 'x') + "\"}";
    CHECK(http(serve.port(), "POST", "/context", fits).status == 200);

    r = http(serve.port(), "GET", "/context");
    CHECK(r.status == 405);
    CHECK(r.header("allow") == "POST, OPTIONS");
    CHECK(r.json().at("error") == "Method not allowed");
    r = http(serve.port(), "DELETE", "/health");
    CHECK(r.status == 405);
    CHECK(contains(r.header("allow"), "GET"));

    r = http(serve.port(), "GET", "/nope?x=1");
    CHECK(r.status == 404);
    CHECK(r.json().at("error") == "Not found");

    // Not HTTP at all: 400, and the server goes on.
    {
        const int fd = connect_to(serve.port());
        send_all(fd, "HELLO THERE\r\n\r\n");
        const auto garbage = parse_response(read_all(fd));
        ::close(fd);
        CHECK(garbage.status == 400);
    }
    CHECK(http(serve.port(), "GET", "/health").status == 200);
}

TEST_CASE("the server token: /context, /metrics and /preview need it, /health and /config do not, never logged") {
    Upstream up;
    auto env = up.env;
    env["TOOLJUMP_SERVER_TOKEN"] = kServerToken;
    Serve serve(plugin_args(up), env);
    INFO("stderr: " << serve.stderr_text());
    const auto body = context_of("acme/passing");

    auto r = http(serve.port(), "POST", "/context", body);
    CHECK(r.status == 401);
    CHECK(r.json().at("error") == "Unauthorized");
    CHECK(r.header("www-authenticate") == "Bearer");
    CHECK(http(serve.port(), "POST", "/context", body, {{"Authorization", "Bearer wrong"}}).status == 401);
    CHECK(http(serve.port(), "POST", "/context", body, {{"Authorization", "Bearer " + kServerToken + "x"}}).status == 401);
    CHECK(http(serve.port(), "POST", "/context", body, {{"Authorization", kServerToken}}).status == 401);
    r = http(serve.port(), "POST", "/context", body, {{"Authorization", "Bearer " + kServerToken}});
    CHECK(r.status == 200);
    CHECK(any_starts_with(contents(r.json()), "CircleCI main: passed"));

    CHECK(http(serve.port(), "GET", "/metrics").status == 401);
    CHECK(http(serve.port(), "GET", "/metrics", "", {{"Authorization", "Bearer " + kServerToken}}).status == 200);
    CHECK(http(serve.port(), "GET", "/preview?repo=acme/passing").status == 401);
    CHECK(http(serve.port(), "GET", "/health").status == 200);
    CHECK(http(serve.port(), "GET", "/config").status == 200);
    CHECK_FALSE(contains(serve.stderr_text(), kServerToken));
}

TEST_CASE("CORS: preflight for allowed origins, nothing for others") {
    Upstream up;
    Serve serve(plugin_args(up, {"--cors-origin", "https://github.com", "--cors-origin", "chrome-extension://*"}), up.env);
    INFO("stderr: " << serve.stderr_text());

    auto r = http(serve.port(), "OPTIONS", "/context", "",
                  {{"Origin", "https://github.com"}, {"Access-Control-Request-Method", "POST"},
                   {"Access-Control-Request-Headers", "authorization, content-type"}});
    CHECK(r.status == 204);
    CHECK(r.header("access-control-allow-origin") == "https://github.com");
    CHECK(r.header("vary") == "Origin");
    CHECK(contains(r.header("access-control-allow-methods"), "POST"));
    CHECK(r.header("access-control-allow-headers") == "Authorization, Content-Type");

    r = http(serve.port(), "OPTIONS", "/context", "", {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
    CHECK(r.status == 403);
    CHECK(r.header("access-control-allow-origin").empty());
    CHECK(r.header("access-control-allow-headers").empty());

    r = http(serve.port(), "POST", "/context", context_of("acme/passing"), {{"Origin", "chrome-extension://abcdef"}});
    CHECK(r.status == 200);
    CHECK(r.header("access-control-allow-origin") == "chrome-extension://abcdef");
    r = http(serve.port(), "POST", "/context", context_of("acme/passing"), {{"Origin", "https://evil.example"}});
    CHECK(r.status == 200);  // answered, but the browser will not hand it to that page
    CHECK(r.header("access-control-allow-origin").empty());
    CHECK(r.header("vary") == "Origin");
    // --cors-origin replaced the defaults.
    r = http(serve.port(), "OPTIONS", "/context", "", {{"Origin", "moz-extension://abc"}, {"Access-Control-Request-Method", "POST"}});
    CHECK(r.status == 403);
}

TEST_CASE("rate limit: N requests per client per window, then 429 with Retry-After, /health is not limited") {
    Upstream up;
    Serve serve(plugin_args(up, {"--rate-limit", "3/600"}), up.env);
    INFO("stderr: " << serve.stderr_text());
    for (int i = 0; i < 3; ++i) REQUIRE(http(serve.port(), "POST", "/context", context_of("acme/passing")).status == 200);
    auto r = http(serve.port(), "POST", "/context", context_of("acme/passing"));
    CHECK(r.status == 429);
    CHECK(r.json().at("error") == "Too many requests");
    const auto retry = std::stoi(r.header("retry-after").empty() ? "0" : r.header("retry-after"));
    CHECK(retry > 0);
    CHECK(retry <= 600);
    CHECK(http(serve.port(), "GET", "/config").status == 429);
    CHECK(http(serve.port(), "GET", "/health").status == 200);
    CHECK(http(serve.port(), "GET", "/metrics").status == 200);
}

TEST_CASE("a slow client gets 408 and is closed while others are served, 50 clients at once are all answered") {
    Upstream up;
    Serve serve(plugin_args(up, {"--read-timeout-ms", "1000"}), up.env);
    INFO("stderr: " << serve.stderr_text());

    const int slow = connect_to(serve.port());
    send_all(slow, "POST /context HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Len");  // half a header, then nothing
    const int slow_body = connect_to(serve.port());
    send_all(slow_body, "POST /context HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"type\":");  // half a body
    const int idle = connect_to(serve.port());  // connects and says nothing
    const auto started = std::chrono::steady_clock::now();

    // Meanwhile the server answers others.
    CHECK(http(serve.port(), "GET", "/health").status == 200);
    CHECK(http(serve.port(), "POST", "/context", context_of("acme/passing")).status == 200);

    const auto slow_answer = parse_response(read_all(slow, 30s));
    const auto slow_body_answer = parse_response(read_all(slow_body, 30s));
    const auto idle_answer = read_all(idle, 30s);
    const auto took = std::chrono::steady_clock::now() - started;
    ::close(slow);
    ::close(slow_body);
    ::close(idle);
    CHECK(slow_answer.status == 408);
    CHECK(slow_body_answer.status == 408);
    CHECK(idle_answer.empty());  // silence is closed quietly
    CHECK(took >= 900ms);
    CHECK(took < 20s);

    // 50 clients at once, all answered (one set of upstream requests thanks to the caches).
    constexpr int kClients = 50;
    std::vector<int> statuses(kClients, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
        threads.emplace_back([&, i] {
            try {
                statuses[static_cast<std::size_t>(i)] =
                    http(serve.port(), "POST", "/context", context_of(i % 2 ? "acme/passing" : "acme/failing")).status;
            } catch (const std::exception&) {
                statuses[static_cast<std::size_t>(i)] = -1;
            }
        });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kClients; ++i) {
        CAPTURE(i);
        CHECK(statuses[static_cast<std::size_t>(i)] == 200);
    }
    CHECK(http(serve.port(), "GET", "/health").status == 200);
}

TEST_CASE("each plugin's deadline: an upstream that never answers becomes an error card at about the deadline") {
    Upstream up;
    Serve serve(plugin_args(up, {"--timeout-ms", "800"}), up.env);
    INFO("stderr: " << serve.stderr_text());
    up.server.set_fault({tjc::testing::FaultKind::stall});
    const auto started = std::chrono::steady_clock::now();
    auto r = http(serve.port(), "POST", "/context", context_of("acme/failing"));
    const auto took = std::chrono::steady_clock::now() - started;
    REQUIRE(r.status == 200);
    INFO(r.body);
    const auto v = r.json();
    CHECK(took >= 700ms);
    CHECK(took < 5s);  // the deadline is 0.8 s; generous for a loaded machine
    bool important = false;
    for (const auto& c : v.at("data").as_array()) {
        if (const auto* s = c.as_object().if_contains("status")) important = important || *s == "important";
    }
    CHECK(important);
    if (v.at("failedCount") == 1) CHECK(contents(v).at(0).starts_with("circleci: "));
    up.server.clear_faults();
    CHECK(http(serve.port(), "GET", "/health").status == 200);
}

TEST_CASE("several plugins: merged by manifest priority, a failing plugin is one error card") {
    Upstream up;
    Serve serve({"--plugin", FIXTURE_STATIC_CARDS, "--plugin", TJC_PLUGIN_PATH, "--plugin", FIXTURE_ALWAYS_FAILS,
                 "--config", up.config},
                up.env);
    INFO("stderr: " << serve.stderr_text());
    auto r = http(serve.port(), "POST", "/context", context_of("acme/passing"));
    REQUIRE(r.status == 200);
    INFO(r.body);
    const auto v = r.json();
    const auto cards = contents(v);
    REQUIRE(cards.size() >= 4);
    CHECK(cards[0] == "Static A");  // priority 200
    CHECK(cards[1] == "Static B");
    CHECK(cards[2] == "always-fails: the fixture always fails");  // priority 150
    CHECK(v.at("data").at(2).at("status") == "important");
    CHECK(v.at("data").at(2).at("type") == "text");
    CHECK(cards[3].starts_with("CircleCI main: passed"));  // priority 100
    CHECK(v.at("failedCount") == 1);
    CHECK(v.at("cacheHits") == 0);
    CHECK(v.at("count") == cards.size());
    CHECK(v.at("integrationNames") == json::array{"static-cards", "always-fails", "circleci"});
    const auto m = http(serve.port(), "GET", "/metrics").body;
    CHECK(contains(m, "tj_host_integration_queries_total{integration=\"always-fails\",outcome=\"failed\"} 1\n"));
    // Only the plugin with the stats api (ABI 1.1) has tj_plugin_* series; the fixtures are 1.0.
    CHECK(contains(m, "tj_plugin_queries_total{integration=\"circleci\"} 1\n"));
    CHECK_FALSE(contains(m, "tj_plugin_queries_total{integration=\"static-cards\""));
    CHECK_FALSE(contains(m, "integration=\"always-fails\",result="));
    CHECK_FALSE(contains(m, "tj_plugin_upstream_requests_total{integration=\"always-fails\""));
    CHECK(http(serve.port(), "GET", "/health").json().at("integrations") ==
          json::array{"static-cards", "circleci", "always-fails"});
}

TEST_CASE("SIGTERM: the request in flight is answered, then the process exits 0") {
    Upstream up;
    Serve serve(plugin_args(up), up.env);
    INFO("stderr: " << serve.stderr_text());
    up.server.set_fault({tjc::testing::FaultKind::latency, "", -1, 400ms});
    Response in_flight;
    std::thread client([&] { in_flight = http(serve.port(), "POST", "/context", context_of("acme/passing")); });
    // Wait until the query has reached CircleCI: the request is in flight.
    const auto limit = std::chrono::steady_clock::now() + 30s;
    while (up.server.requests() == 0 && std::chrono::steady_clock::now() < limit) std::this_thread::sleep_for(10ms);
    REQUIRE(up.server.requests() > 0);
    serve.signal(SIGTERM);
    client.join();
    CHECK(in_flight.status == 200);
    CHECK(any_starts_with(contents(in_flight.json()), "CircleCI main: passed"));
    CHECK(serve.wait_exit(30s) == 0);
    CHECK(contains(serve.stderr_text(), "draining"));
}

TEST_CASE("SIGHUP reloads the configs: a bad one keeps the running config and says where") {
    Upstream up;
    const auto config = write_file("reload.yaml", read_file(up.config));
    Serve serve({"--plugin", TJC_PLUGIN_PATH, "--config", config}, up.env);
    INFO("stderr: " << serve.stderr_text());
    REQUIRE(http(serve.port(), "POST", "/context", context_of("acme/passing")).status == 200);
    std::ofstream(config, std::ios::trunc) << "circleci:\n  api_url: [unclosed\n";
    serve.signal(SIGHUP);
    const auto limit = std::chrono::steady_clock::now() + 30s;
    while (!contains(serve.stderr_text(), "SIGHUP") && std::chrono::steady_clock::now() < limit)
        std::this_thread::sleep_for(20ms);
    const auto err = serve.stderr_text();
    CHECK(contains(err, "reload kept the running config"));
    CHECK(contains(err, config + ":"));
    // Still serving with the old config; the host cache was emptied.
    auto v = http(serve.port(), "POST", "/context", context_of("acme/passing")).json();
    CHECK(v.at("cacheHits") == 0);
    CHECK(any_starts_with(contents(v), "CircleCI main: passed"));
    std::remove(config.c_str());
}

TEST_CASE("GET /preview: a self-contained HTML page of the cards") {
    Upstream up;
    Serve serve(plugin_args(up), up.env);
    INFO("stderr: " << serve.stderr_text());
    auto r = http(serve.port(), "GET", "/preview?repo=acme/passing&branch=main");
    INFO(r.body.substr(0, 2000));
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "text/html; charset=utf-8");
    CHECK(contains(r.header("content-security-policy"), "default-src 'none'"));
    CHECK(contains(r.body, "acme/passing"));
    CHECK(contains(r.body, "CircleCI main: passed"));
    auto form = http(serve.port(), "GET", "/preview");
    CHECK(form.status == 200);
    CHECK(contains(form.body, "<form"));
    CHECK(http(serve.port(), "GET", "/preview?repo=not%20a%20repo%20at%20all%3A%3A").status == 200);
}

TEST_CASE("TLS listener: a TLS client trusting the CA gets answers") {
    Upstream up;
    const auto certs = tjc::testing::make_test_certs();
    const auto cert = write_file("cert.pem", certs.server.cert_pem);
    const auto key = write_file("key.pem", certs.server.key_pem);
    const auto ca = write_file("ca.pem", certs.ca_cert_pem);
    {
        Serve serve(plugin_args(up, {"--tls-cert", cert, "--tls-key", key}), up.env);
        INFO("stderr: " << serve.stderr_text());
        CHECK(serve.url().starts_with("https://127.0.0.1:"));
        auto health = https(serve.port(), ca, "GET", "/health");
        CHECK(health.status == 200);
        auto r = https(serve.port(), ca, "POST", "/context", context_of("acme/passing"));
        REQUIRE(r.status == 200);
        CHECK(any_starts_with(contents(r.json()), "CircleCI main: passed"));
        // Plain HTTP on the TLS port is not answered as HTTP.
        CHECK(http(serve.port(), "GET", "/health").status == 0);
    }
    for (const auto& f : {cert, key, ca}) std::remove(f.c_str());
}
