// The routes of `tj-host serve`, above the socket: POST /context, GET /config,
// /custom-domains, /health, /metrics, /preview, POST /webhooks/circleci, CORS preflights, the
// server token, the rate limit, 404/405. Fed plain
// HttpRequest values by http_server.cpp; answers through a callback because /context waits
// for plugins (on their threads) while the server's thread goes on serving others.
#pragma once

#include "bearer.hpp"
#include "cors.hpp"
#include "http_message.hpp"
#include "integration_runner.hpp"
#include "metrics.hpp"
#include "rate_limiter.hpp"
#include "recent_ids.hpp"
#include "shared_results.hpp"
#include "tjc/mutex.hpp"

#include <atomic>
#include <functional>
#include <optional>

namespace tjhost {

struct ServeAppOptions {
    std::string server_token;  // "" = no token required
    std::vector<std::string> cors_origins;
    std::vector<std::string> custom_domains;  // the admin's (--custom-domain), normalized
    std::uint32_t rate_limit = 200;           // per client per window; 0 = off
    std::chrono::seconds rate_window{900};
    // The webhook secret (INTEGRATION_CIRCLECI_WEBHOOK_SECRET through the SecretStore); nullopt:
    // POST /webhooks/circleci is off (404). [any-thread]
    std::function<std::optional<std::string>()> webhook_secret;
    // The replicas' shared cache (Redis), or null: event ids, events to the other replicas,
    // /health's `redis`. It outlives the app.
    SharedResults* shared = nullptr;
    // Runs before /metrics renders (e.g. the shared cache's health into gauges).
    std::function<void()> on_metrics;
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

    // The custom domains now: the admin's and those the plugins describe (read again on
    // SIGHUP, after the plugins reloaded). [any-thread]
    void refresh_custom_domains();
    [[nodiscard]] std::vector<std::string> custom_domains() const;

    // An event another replica received (its webhook): to the local plugins, once. [any-thread]
    void on_replica_event(const std::string& event_json);

private:
    void respond_json(const HttpRequest& req, const Respond& respond, int status, const boost::json::value& body,
                      std::chrono::steady_clock::time_point started,
                      std::vector<std::pair<std::string, std::string>> extra = {});
    void finish(const HttpRequest& req, const Respond& respond, HttpResponse r,
                std::chrono::steady_clock::time_point started);
    void context(HttpRequest req, Respond respond, std::chrono::steady_clock::time_point started);
    void preview(HttpRequest req, Respond respond, std::chrono::steady_clock::time_point started);
    void webhook(HttpRequest req, Respond respond, std::chrono::steady_clock::time_point started);
    void accept_event(const HttpRequest& req, const Respond& respond, const std::string& id,
                      const std::string& event_json, std::chrono::steady_clock::time_point started);
    void preflight(const HttpRequest& req, const Respond& respond, const char* allow, bool is_public);
    boost::json::object config_body() const;

    ServeAppOptions options_;
    IntegrationRunner& runner_;
    Metrics& metrics_;
    BearerCheck bearer_;
    CorsPolicy cors_;
    RateLimiter limiter_;
    RecentIds seen_events_;
    std::atomic<bool> draining_{false};
    mutable tjc::Mutex domains_mutex_;
    std::vector<std::string> custom_domains_ TJC_GUARDED_BY(domains_mutex_);
};

// The endpoint label of a path: one of the routes, or "other" (bounded label values).
std::string endpoint_of(std::string_view path);

}  // namespace tjhost
