// The HTTP(S) listener of `tj-host serve`, and the only Beast TU of tj-host (slow to compile:
// nothing else includes Beast). One coroutine per connection on one io thread; keep-alive;
// a deadline on reading each request (header and body) so that a slow client gets 408 and is
// closed while others are served; a body limit (413); a bound on open connections (503);
// SIGTERM/SIGINT stop accepting and let the requests in flight finish; SIGHUP is handed to the
// caller. Everything above the socket is the Handler's.
#pragma once

#include "http_message.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace tjhost {

struct HttpServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;     // 0 = a free port
    std::string tls_cert_file;  // both set: HTTPS
    std::string tls_key_file;
    std::size_t body_limit = 100 * 1024;             // ToolJump's limit on a context
    std::chrono::milliseconds read_timeout{10000};   // a request's header and body; also the keep-alive idle time
    std::chrono::milliseconds drain_timeout{10000};  // how long SIGTERM waits for requests in flight
    std::size_t max_connections = 512;
};

class HttpServer {
public:
    // Calls `respond` exactly once, from any thread.
    using Handler = std::function<void(HttpRequest, std::function<void(HttpResponse)>)>;
    // The server's own answers (408, 413, 431, 400, 503): status, message, request Origin.
    using Rejection = std::function<HttpResponse(int, const std::string&, const std::string&)>;

    // Binds and listens (throws std::runtime_error naming the address or the TLS file).
    HttpServer(HttpServerOptions options, Handler handler, Rejection rejection);
    ~HttpServer();  // after run() returned; destroys what is left of the connections
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] bool tls() const;

    // Serves on the calling thread until SIGTERM or SIGINT. on_hup runs on this thread for
    // each SIGHUP; on_drain when shutdown starts. Returns once the requests in flight are
    // answered, or drain_timeout passed.
    void run(std::function<void()> on_hup, std::function<void()> on_drain);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tjhost
