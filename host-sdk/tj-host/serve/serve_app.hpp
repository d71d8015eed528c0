// The routes of `tj-host serve`, above the socket: POST /context, GET /config, /health,
// /metrics, /preview, CORS preflights, the server token, the rate limit, 404/405. Fed plain
// HttpRequest values by http_server.cpp; answers through a callback because /context waits
// for plugins (on their threads) while the server's thread goes on serving others.
#pragma once

#include "bearer.hpp"
#include "cors.hpp"
#include "http_message.hpp"
#include "integration_runner.hpp"
#include "metrics.hpp"
#include "rate_limiter.hpp"

#include <atomic>
#include <functional>

namespace tjhost {

struct ServeAppOptions {
    std::string server_token;  // "" = no token required
    std::vector<std::string> cors_origins;
    std::uint32_t rate_limit = 200;  // per client per window; 0 = off
    std::chrono::seconds rate_window{900};
};

class ServeApp {
public:
    using Respond = std::function<void(HttpResponse)>;

    // The runner and metrics outlive the app.
    ServeApp(ServeAppOptions options, IntegrationRunner& runner, Metrics& metrics);

    // Declares the app's metric families (call once, before constructing).
    static void declare_metrics(Metrics& metrics);

    // `respond` is called exactly once, on this thread or on a plugin/timer thread. [any-thread]
    void handle(HttpRequest request, Respond respond);

    // A response the server makes itself (408, 413, 503 busy...), counted like the others.
    HttpResponse server_response(int status, const std::string& message, const std::string& origin = {});

    void set_draining() noexcept { draining_.store(true); }

private:
    void respond_json(const HttpRequest& req, const Respond& respond, int status, const boost::json::value& body,
                      std::chrono::steady_clock::time_point started, std::vector<std::pair<std::string, std::string>> extra = {});
    void finish(const HttpRequest& req, const Respond& respond, HttpResponse r, std::chrono::steady_clock::time_point started);
    void context(HttpRequest req, Respond respond, std::chrono::steady_clock::time_point started);
    void preview(HttpRequest req, Respond respond, std::chrono::steady_clock::time_point started);
    boost::json::object config_body() const;

    ServeAppOptions options_;
    IntegrationRunner& runner_;
    Metrics& metrics_;
    BearerCheck bearer_;
    CorsPolicy cors_;
    RateLimiter limiter_;
    std::atomic<bool> draining_{false};
};

// The endpoint label of a path: one of the routes, or "other" (bounded label values).
std::string endpoint_of(std::string_view path);

}  // namespace tjhost
