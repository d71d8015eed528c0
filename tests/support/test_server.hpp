// An HTTPS server on 127.0.0.1 that speaks the slice of CircleCI's API v2 the plugin uses,
// serves it from a scenario "world" file and injects network/HTTP faults on demand.
// Used in-process by tests and, through circleci-test-server, by the README's offline demo.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tjc::testing {

struct TestServerOptions {
    std::string world_path{};            // JSON world file (see tests/support/README.md)
    std::string token = "test-token";    // the only Circle-Token accepted
    std::string host = "127.0.0.1";      // bind address: loopback only
    std::uint16_t port = 0;              // 0 = pick a free port
    bool shift_times = false;            // shift every timestamp by (now - time_base)
    std::size_t page_size = 20;          // items per page of paginated lists
    std::size_t pipeline_page_size = 0;  // of GET /project/{slug}/pipeline alone; 0 = page_size
    std::string clone_of{};              // a slug whose clones <slug>--clone-<n> are served (api_router.hpp)
    std::string cert_dir{};              // where ca.pem goes; "" = a fresh mkdtemp dir
    bool slugs_ignore_case = false;      // project slugs compared without case (CircleCI's way is undocumented)
};

enum class FaultKind {
    latency,             // answer normally after `delay`
    refuse_connections,  // close the listener and open connections; new connects are refused until cleared
    reset_mid_body,      // send the headers and half the body, then RST (SO_LINGER 0 + close)
    stall,               // read the request, never answer (the connection stays open)
    slow_drip,           // send the response 16 bytes at a time, `delay` (default 50 ms) apart
    http_status,         // `status` (default 500) with a JSON {"message"} body
    rate_limit,          // 429 with Retry-After and RateLimit-Reset = retry_after_s
    unauthorized,        // 401 {"message":"You must log in first."}
    not_found,           // 404 {"message":"Not found."}
    invalid_json,        // 200 application/json with a truncated JSON body
    oversized_body,      // 200 with `body_bytes` (default 5 MiB) of valid JSON
    wrong_host_cert,     // new connections get the leaf for wrong.example
    redirect,            // 302 (or `status` if 3xx) with Location: `location`
    html_error_page,     // 502 text/html, like a load balancer's error page
    echo_token,          // `status` (default 500) whose JSON message and X-Debug-Token header repeat the Circle-Token
};

struct FaultSpec {
    FaultKind kind = FaultKind::latency;
    std::string path_prefix{};           // "" = every route; matched against the raw and the decoded path
    int count = -1;                      // requests (connections for the connection faults) it hits; -1 = until cleared
    std::chrono::milliseconds delay{0};  // extra delay before the response (per chunk for slow_drip)
    int status = 0;
    int retry_after_s = 0;
    std::string location{};
    std::size_t body_bytes = 0;  // oversized_body: 0 = 5 MiB
};

// One request as the server read it: its raw path and when.
struct RequestRecord {
    std::string path;
    std::chrono::steady_clock::time_point at;
};

// How many dependent waves a client's requests came in, with `latency` added to every answer
// (a latency fault): a request sent after an answer arrives at least `latency` after the
// request it waited for, so a gap over latency/2 between two arrivals starts a new wave.
std::size_t dependent_waves(const std::vector<RequestRecord>& log, std::chrono::milliseconds latency);

class TestServer {
public:
    // Loads the world, makes the certificates, binds and starts serving; throws on failure.
    explicit TestServer(TestServerOptions options);
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    std::uint16_t port() const;
    std::string base_url() const;  // "https://127.0.0.1:PORT/api/v2"
    std::string ca_file() const;   // PEM file of the test CA, for tls.ca_file

    // Serves another world from now on (e.g. a new pipeline, as after a workflow completed):
    // loaded like the first (same shift_times), then swapped on the server's thread.
    void set_world(const std::string& world_path);

    // Faults stack: each request takes the first active request fault that matches its path.
    void set_fault(FaultSpec fault);
    void clear_faults();

    // Requests read (answered or faulted) whose path starts with the prefix ("" = all).
    std::size_t requests(std::string_view path_prefix = "") const;
    // Every request read since start or reset_counters(), in order.
    std::vector<RequestRecord> request_log() const;
    std::size_t handshakes() const;        // TLS handshakes completed
    std::size_t connections() const;       // TCP connections accepted
    std::size_t open_connections() const;  // TCP connections open now (server side)
    std::size_t peak_connections() const;  // most open at once since start or reset_counters()
    void reset_counters();

    // Closes everything and joins the io thread; idempotent (the destructor calls it).
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tjc::testing
