#include "serve_command.hpp"

#include "cors.hpp"
#include "http_server.hpp"
#include "integration_runner.hpp"
#include "serve_app.hpp"
#include "session.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

namespace tjhost {

int serve_main(const ServeOptions& opts) {
    // A client that goes away must not kill the server.
    std::signal(SIGPIPE, SIG_IGN);
    Metrics metrics;
    ServeApp::declare_metrics(metrics);
    IntegrationRunner::declare_metrics(metrics);

    std::vector<std::unique_ptr<Session>> sessions;
    std::vector<Session*> ordered;
    try {
        for (std::size_t i = 0; i < opts.plugins.size(); ++i) {
            sessions.push_back(std::make_unique<Session>(opts.plugins[i], "", opts.config_for(i)));
            ordered.push_back(sessions.back().get());
        }
    } catch (const ConfigRejected& e) {
        std::cerr << "tj-host serve: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "tj-host serve: " << e.what() << "\n";
        return 1;
    }
    IntegrationRunner runner(ordered, metrics, opts.timeout);

    const char* token = std::getenv("TOOLJUMP_SERVER_TOKEN");
    ServeAppOptions app_opts;
    app_opts.server_token = token ? token : "";
    app_opts.cors_origins = opts.cors_origins.empty() ? CorsPolicy::default_origins() : opts.cors_origins;
    app_opts.rate_limit = opts.rate_limit;
    app_opts.rate_window = opts.rate_window;
    ServeApp app(std::move(app_opts), runner, metrics);

    HttpServerOptions server_opts;
    server_opts.host = opts.host;
    server_opts.port = opts.port;
    server_opts.tls_cert_file = opts.tls_cert;
    server_opts.tls_key_file = opts.tls_key;
    server_opts.read_timeout = opts.read_timeout;
    server_opts.drain_timeout = opts.drain_timeout;
    server_opts.max_connections = opts.max_connections;
    std::unique_ptr<HttpServer> server;
    try {
        server = std::make_unique<HttpServer>(
            server_opts, [&app](HttpRequest req, std::function<void(HttpResponse)> respond) { app.handle(std::move(req), std::move(respond)); },
            [&app](int status, const std::string& message, const std::string& origin) {
                return app.server_response(status, message, origin);
            });
    } catch (const std::exception& e) {
        std::cerr << "tj-host serve: " << e.what() << "\n";
        return 1;
    }
    std::string host = opts.host.find(':') != std::string::npos ? "[" + opts.host + "]" : opts.host;
    const std::string url = std::string(server->tls() ? "https" : "http") + "://" + host + ":" + std::to_string(server->port());
    std::cout << boost::json::serialize(boost::json::object{{"listening", url}}) << std::endl;
    std::cerr << "tj-host serve: listening on " << url << " with " << sessions.size() << " integration(s)"
              << (token && *token ? ", server token required" : "") << "\n";

    server->run(
        [&runner] {
            for (const auto& e : runner.reload_all()) std::cerr << "tj-host serve: reload kept the running config: " << e << "\n";
            std::cerr << "tj-host serve: SIGHUP: configs reloaded, result cache cleared\n";
        },
        [&app] {
            app.set_draining();
            std::cerr << "tj-host serve: draining\n";
        });
    // Destroying the instances completes whatever is still running (answers nobody reads any
    // more), while the runner and the server they call back into are still alive.
    sessions.clear();
    server.reset();
    std::cerr << "tj-host serve: stopped\n";
    return 0;
}

}  // namespace tjhost
