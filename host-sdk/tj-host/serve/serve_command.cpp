#include "serve_command.hpp"

#include "cors.hpp"
#include "http_server.hpp"
#include "integration_runner.hpp"
#include "redis/shared_cache.hpp"
#include "serve_app.hpp"
#include "session.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

namespace tjhost {

namespace {

constexpr const char* kWebhookSecret = "CIRCLECI_WEBHOOK_SECRET";

// The plugins' TJ_HOST_CACHE_V1 calls arrive through their sessions, which exist before the
// runner: this relay hands them on once it does.
struct InvalidateRelay {
    std::atomic<IntegrationRunner*> runner{nullptr};
    void operator()(const std::string& integration, std::string_view tag) const {
        if (auto* r = runner.load()) {
            r->invalidate(integration, tag);
        }
    }
};

// TOOLJUMP_REDIS_PASSWORD, else the systemd credential of that name ("" when neither).
std::string redis_password() {
    if (const char* pw = std::getenv("TOOLJUMP_REDIS_PASSWORD")) {
        return pw;
    }
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir) {
        return {};
    }
    std::ifstream in(std::string(dir) + "/TOOLJUMP_REDIS_PASSWORD", std::ios::binary);
    std::string pw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!pw.empty() && std::isspace(static_cast<unsigned char>(pw.back()))) {
        pw.pop_back();  // the file's newline is not part of it
    }
    return pw;
}

// `app` is set once the app exists (events may arrive from the other replicas before).
std::unique_ptr<redis::SharedCache> make_shared_cache(const ServeOptions& opts, Metrics& metrics,
                                                      IntegrationRunner& runner, std::atomic<ServeApp*>& app) {
    if (opts.redis.empty()) {
        return nullptr;
    }
    redis::ClientOptions client;
    client.endpoint = redis::parse_redis_url(opts.redis);
    client.password = redis_password();
    client.call_timeout = opts.redis_timeout;
    redis::SharedCacheHandlers handlers;
    handlers.on_purge = [&runner](const std::string& tag) { runner.purge_local(tag); };
    handlers.on_resync = [&runner] { runner.clear_local(); };
    handlers.on_event = [&app](const std::string& event_json) {
        if (auto* a = app.load()) {
            a->on_replica_event(event_json);
        }
    };
    return std::make_unique<redis::SharedCache>(std::move(client), std::move(handlers), metrics);
}

// Loads every plugin with its instance, in --plugin order. 0, or the exit code (2: a config
// was refused, 1: a plugin could not be loaded), the message on stderr.
int load_sessions(const ServeOptions& opts, const SessionHooks& hooks,
                  std::vector<std::unique_ptr<Session>>& sessions) {
    try {
        for (std::size_t i = 0; i < opts.plugins.size(); ++i) {
            sessions.push_back(std::make_unique<Session>(opts.plugins[i], "", opts.config_for(i), hooks));
        }
    } catch (const ConfigRejected& e) {
        std::cerr << "tj-host serve: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "tj-host serve: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

// The routes' settings: the token, CORS (the enabled adapters' origins unless --cors-origin),
// custom domains, the rate limit, the webhook secret, the shared cache.
ServeAppOptions app_options(const ServeOptions& opts, const IntegrationRunner& runner, const SecretStore& host_secrets,
                            redis::SharedCache* shared) {
    const char* token = std::getenv("TOOLJUMP_SERVER_TOKEN");
    ServeAppOptions o;
    o.server_token = token ? token : "";
    o.cors_origins = opts.cors_origins.empty() ? CorsPolicy::default_origins(runner.serves_context_type("github"),
                                                                             runner.serves_context_type("aws"))
                                               : opts.cors_origins;
    o.custom_domains = opts.custom_domains;
    o.rate_limit = opts.rate_limit;
    o.rate_window = opts.rate_window;
    o.webhook_secret = [&host_secrets] { return host_secrets.get(kWebhookSecret); };
    o.shared = shared;
    if (shared) {
        o.on_metrics = [shared] { shared->record_health(); };
    }
    return o;
}

HttpServerOptions server_options(const ServeOptions& opts) {
    HttpServerOptions o;
    o.host = opts.host;
    o.port = opts.port;
    o.tls_cert_file = opts.tls_cert;
    o.tls_key_file = opts.tls_key;
    o.read_timeout = opts.read_timeout;
    o.drain_timeout = opts.drain_timeout;
    o.max_connections = opts.max_connections;
    return o;
}

}  // namespace

int serve_main(const ServeOptions& opts) {
    // A client that goes away must not kill the server.
    std::signal(SIGPIPE, SIG_IGN);
    Metrics metrics;
    ServeApp::declare_metrics(metrics);
    IntegrationRunner::declare_metrics(metrics);
    redis::SharedCache::declare_metrics(metrics);

    auto relay = std::make_shared<InvalidateRelay>();
    SessionHooks hooks;
    hooks.invalidate = [relay](const std::string& integration, std::string_view tag) { (*relay)(integration, tag); };
    std::vector<std::unique_ptr<Session>> sessions;
    if (const int failed = load_sessions(opts, hooks, sessions); failed != 0) {
        return failed;
    }
    std::vector<Session*> ordered;
    for (const auto& s : sessions) {
        ordered.push_back(s.get());
    }
    IntegrationRunner runner(ordered, metrics, opts.timeout);
    relay->runner = &runner;

    // The host's own secret: read like the plugins' (variable, _FILE, credential), again on SIGHUP.
    SecretStore host_secrets;
    if (auto problem = host_secrets.declare(kWebhookSecret); !problem.empty()) {
        std::cerr << "tj-host serve: " << problem << "\n";
    }

    std::atomic<ServeApp*> app_ptr{nullptr};
    std::unique_ptr<redis::SharedCache> shared;
    try {
        shared = make_shared_cache(opts, metrics, runner, app_ptr);
    } catch (const std::exception& e) {
        std::cerr << "tj-host serve: " << e.what() << "\n";
        return 2;
    }
    runner.set_shared(shared.get());

    const char* token = std::getenv("TOOLJUMP_SERVER_TOKEN");
    ServeApp app(app_options(opts, runner, host_secrets, shared.get()), runner, metrics);
    app_ptr.store(&app);

    std::unique_ptr<HttpServer> server;
    try {
        server = std::make_unique<HttpServer>(
            server_options(opts),
            [&app](HttpRequest req, std::function<void(HttpResponse)> respond) {
                app.handle(std::move(req), std::move(respond));
            },
            [&app](int status, const std::string& message, const std::string& origin) {
                return app.server_response(status, message, origin);
            });
    } catch (const std::exception& e) {
        std::cerr << "tj-host serve: " << e.what() << "\n";
        return 1;
    }
    std::string host = opts.host.find(':') != std::string::npos ? "[" + opts.host + "]" : opts.host;
    const std::string url =
        std::string(server->tls() ? "https" : "http") + "://" + host + ":" + std::to_string(server->port());
    std::cout << boost::json::serialize(boost::json::object{{"listening", url}}) << std::endl;
    std::cerr << "tj-host serve: listening on " << url << " with " << sessions.size() << " integration(s)"
              << (token && *token ? ", server token required" : "") << (shared ? ", sharing through " + opts.redis : "")
              << (host_secrets.get(kWebhookSecret) ? ", webhooks on" : "") << "\n";

    server->run(
        [&runner, &app, &host_secrets] {
            for (const auto& e : runner.reload_all()) {
                std::cerr << "tj-host serve: reload kept the running config: " << e << "\n";
            }
            for (const auto& problem : host_secrets.reload()) {
                std::cerr << "tj-host serve: " << problem << "\n";
            }
            app.refresh_custom_domains();
            std::cerr << "tj-host serve: SIGHUP: configs reloaded, result cache cleared\n";
        },
        [&app] {
            app.set_draining();
            std::cerr << "tj-host serve: draining\n";
        });
    // No Redis callback runs any more (they reach the runner and the sessions); then destroying
    // the instances completes whatever is still running (answers nobody reads any more), while
    // the runner and the server they call back into are still alive.
    if (shared) {
        shared->shutdown();
    }
    runner.set_shared(nullptr);  // a watchdog firing later finds no shared cache to publish to
    runner.stop();               // nor a session to submit to
    relay->runner = nullptr;
    sessions.clear();
    server.reset();
    std::cerr << "tj-host serve: stopped\n";
    return 0;
}

}  // namespace tjhost
