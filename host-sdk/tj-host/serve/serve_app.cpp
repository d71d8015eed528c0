#include "serve_app.hpp"

#include "context_args.hpp"
#include "context_request.hpp"
#include "custom_domains.hpp"
#include "merge.hpp"
#include "plugin_stats.hpp"
#include "preview_html.hpp"
#include "webhook.hpp"
#include "webhook_signature.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <stdexcept>

namespace tjhost {

namespace {

constexpr const char* kJson = "application/json; charset=utf-8";

struct Route {
    const char* path;
    const char* allow;  // methods, for 405's Allow header
};
constexpr Route kRoutes[] = {
    {"/context", "POST, OPTIONS"},
    {"/config", "GET, HEAD, OPTIONS"},
    {"/custom-domains", "GET, HEAD, OPTIONS"},
    {"/health", "GET, HEAD, OPTIONS"},
    {"/metrics", "GET, HEAD, OPTIONS"},
    {"/preview", "GET, HEAD, OPTIONS"},
    {"/webhooks/circleci", "POST, OPTIONS"},
};

// What any origin may read (ToolJump: the extension's popup reads them from anywhere).
bool is_public(std::string_view path) { return path == "/config" || path == "/custom-domains"; }

const Route* route_of(std::string_view path) {
    for (const auto& r : kRoutes) {
        if (path == r.path) {
            return &r;
        }
    }
    return nullptr;
}

std::string path_of(const std::string& target) {
    const auto q = target.find_first_of("?#");
    return q == std::string::npos ? target : target.substr(0, q);
}

// ToolJump's adapters (its extension's sites) with the URLs they read.
struct Adapter {
    const char* name;
    const char* description;
    std::vector<std::string> urls;
};
const std::vector<Adapter>& adapters() {
    static const std::vector<Adapter> a = {
        {"github", "GitHub repositories, branches, commits and pull requests", {"https://github.com/*"}},
        {"aws", "AWS console pages", {"https://console.aws.amazon.com/*", "https://*.console.aws.amazon.com/*"}},
        {"generic", "Any other page (its URL)", {"*"}},
    };
    return a;
}

}  // namespace

std::string endpoint_of(std::string_view path) {
    const auto* r = route_of(path);
    if (!r) {
        return "other";
    }
    std::string name(r->path + 1);
    for (auto& c : name) {
        if (c == '/' || c == '-') {
            c = '_';
        }
    }
    return name;  // "context", "custom_domains", "webhooks_circleci"
}

void ServeApp::declare_metrics(Metrics& m) {
    m.counter("tj_host_http_requests_total", "HTTP requests answered, by endpoint and status code.");
    m.histogram("tj_host_http_request_duration_seconds", "Time from a request's arrival to its answer, by endpoint.",
                {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    m.counter("tj_host_context_queries_total", "POST /context queries run (valid bodies).");
    m.counter("tj_host_webhook_deliveries_total",
              "POST /webhooks/circleci by result: accepted, duplicate (an event id seen before), unauthorized "
              "(missing or wrong signature), invalid (not a delivery), disabled (no secret set).");
    m.counter("tj_host_events_notified_total",
              "Events handed to the plugins, by where they came from (webhook: this replica's; replica: another's).");
    declare_plugin_stats(m);
}

ServeApp::ServeApp(ServeAppOptions options, IntegrationRunner& runner, Metrics& metrics)
    : options_(std::move(options)),
      runner_(runner),
      metrics_(metrics),
      bearer_(options_.server_token),
      cors_(options_.cors_origins),
      limiter_(options_.rate_limit, options_.rate_window) {
    options_.server_token.clear();  // kept as a digest only
    refresh_custom_domains();
}

void ServeApp::refresh_custom_domains() {
    auto hosts = options_.custom_domains;
    for (const auto* s : runner_.sessions()) {
        const auto d = s->instance->describe();
        boost::system::error_code ec;
        const auto v = d.ok() ? boost::json::parse(d.payload, ec) : boost::json::value();
        if (!ec) {
            hosts = merge_custom_domains(std::move(hosts), custom_domains_of(v));
        }
    }
    hosts = merge_custom_domains(std::move(hosts), {});
    cors_.set_custom_domains(hosts);
    tjc::MutexLock lock(domains_mutex_);
    custom_domains_ = std::move(hosts);
}

std::vector<std::string> ServeApp::custom_domains() const {
    tjc::MutexLock lock(domains_mutex_);
    return custom_domains_;
}

void ServeApp::finish(const HttpRequest& req, const Respond& respond, HttpResponse r,
                      std::chrono::steady_clock::time_point started) {
    const auto path = path_of(req.target);
    const auto origin = req.header("origin");
    for (auto& h : is_public(path) ? CorsPolicy::public_headers(origin) : cors_.response_headers(origin)) {
        r.headers.push_back(std::move(h));
    }
    const auto endpoint = endpoint_of(path);
    metrics_.add("tj_host_http_requests_total", {{"endpoint", endpoint}, {"code", std::to_string(r.status)}});
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    metrics_.observe("tj_host_http_request_duration_seconds", {{"endpoint", endpoint}}, took.count());
    respond(std::move(r));
}

void ServeApp::respond_json(const HttpRequest& req, const Respond& respond, int status, const boost::json::value& body,
                            std::chrono::steady_clock::time_point started,
                            std::vector<std::pair<std::string, std::string>> extra) {
    HttpResponse r;
    r.status = status;
    r.set("Content-Type", kJson);
    for (auto& h : extra) {
        r.headers.push_back(std::move(h));
    }
    r.body = boost::json::serialize(body);
    finish(req, respond, std::move(r), started);
}

HttpResponse ServeApp::server_response(int status, const std::string& message, const std::string& origin) {
    HttpResponse r;
    r.status = status;
    r.close = true;
    r.set("Content-Type", kJson);
    r.body = boost::json::serialize(boost::json::object{{"error", message}});
    for (auto& h : cors_.response_headers(origin)) {
        r.headers.push_back(std::move(h));
    }
    metrics_.add("tj_host_http_requests_total", {{"endpoint", "other"}, {"code", std::to_string(status)}});
    return r;
}

void ServeApp::handle(HttpRequest req, Respond respond) {
    const auto started = std::chrono::steady_clock::now();
    const auto path = path_of(req.target);
    const auto* route = route_of(path);
    if (!route) {
        return respond_json(req, respond, 404, boost::json::object{{"error", "Not found"}, {"path", path}}, started);
    }

    if (req.method == "OPTIONS") {
        return preflight(req, respond, route->allow, is_public(path));
    }
    const std::string allow = route->allow;
    const bool posted = path == "/context" || path == "/webhooks/circleci";
    const bool method_ok = posted ? req.method == "POST" : (req.method == "GET" || req.method == "HEAD");
    if (!method_ok) {
        return respond_json(req, respond, 405, boost::json::object{{"error", "Method not allowed"}, {"allow", allow}},
                            started, {{"Allow", allow}});
    }

    if (path == "/health") {
        if (draining_.load()) {
            return respond_json(req, respond, 503, boost::json::object{{"status", "draining"}}, started);
        }
        boost::json::array names;
        for (const auto* s : runner_.sessions()) {
            names.emplace_back(s->manifest.name);
        }
        boost::json::object health{{"status", "ok"}, {"integrations", std::move(names)}};
        // Redis down is no failure of this replica (it serves from its own cache and the
        // plugins): said, with 200, so that a load balancer keeps it.
        if (options_.shared) {
            health["redis"] = options_.shared->usable() ? "ok" : "degraded";
        }
        health["timestamp"] = iso8601_utc(std::chrono::system_clock::now());
        return respond_json(req, respond, 200, health, started);
    }
    // Authenticated by its signature, and CircleCI retries what is refused: no rate limit, no bearer.
    if (path == "/webhooks/circleci") {
        return webhook(std::move(req), std::move(respond), started);
    }
    // Monitoring is not rate-limited; everything a browser calls is.
    if (path != "/metrics") {
        const auto d = limiter_.check(req.client);
        if (!d.allowed) {
            return respond_json(req, respond, 429, boost::json::object{{"error", "Too many requests"}}, started,
                                {{"Retry-After", std::to_string(d.retry_after_s)},
                                 {"RateLimit-Limit", std::to_string(limiter_.limit())},
                                 {"RateLimit-Remaining", "0"}});
        }
    }
    if (path == "/config") {
        return respond_json(req, respond, 200, config_body(), started);
    }
    if (path == "/custom-domains") {
        boost::json::array hosts;
        for (const auto& h : custom_domains()) {
            hosts.emplace_back(h);
        }
        const auto count = hosts.size();
        return respond_json(req, respond, 200,
                            boost::json::object{{"hosts", std::move(hosts)},
                                                {"count", count},
                                                {"timestamp", iso8601_utc(std::chrono::system_clock::now())}},
                            started);
    }
    if (!bearer_.allows(req.header("authorization"))) {
        return respond_json(req, respond, 401, boost::json::object{{"error", "Unauthorized"}}, started,
                            {{"WWW-Authenticate", "Bearer"}});
    }
    if (path == "/metrics") {
        HttpResponse r;
        r.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        collect_plugin_stats(runner_.sessions(), metrics_);  // the plugins' own counters, read now
        if (options_.on_metrics) {
            options_.on_metrics();
        }
        r.body = metrics_.render();
        return finish(req, respond, std::move(r), started);
    }
    if (path == "/context") {
        return context(std::move(req), std::move(respond), started);
    }
    return preview(std::move(req), std::move(respond), started);
}

boost::json::object ServeApp::config_body() const {
    boost::json::array list;
    for (const auto& a : adapters()) {
        boost::json::array urls;
        for (const auto& u : a.urls) {
            urls.emplace_back(u);
        }
        list.push_back(boost::json::object{{"name", a.name},
                                           {"enabled", runner_.serves_context_type(a.name)},
                                           {"urls", std::move(urls)},
                                           {"description", a.description}});
    }
    return {{"adapters", std::move(list)},
            {"customDomains",
             [&] {
                 boost::json::array hosts;
                 for (const auto& h : custom_domains()) {
                     hosts.emplace_back(h);
                 }
                 return hosts;
             }()},
            {"timestamp", iso8601_utc(std::chrono::system_clock::now())}};
}

void ServeApp::preflight(const HttpRequest& req, const Respond& respond, const char* allow, bool public_path) {
    const auto origin = req.header("origin");
    // Chrome's Private Network Access: a public page asks before calling a private address.
    const bool private_network = req.header("access-control-request-private-network") == "true";
    auto headers = public_path ? CorsPolicy::public_preflight_headers(origin, private_network)
                               : cors_.preflight_headers(origin, private_network);
    HttpResponse r;
    if (headers.empty()) {
        // No CORS headers: the browser refuses the cross-origin call.
        r.status = 403;
        r.set("Content-Type", kJson);
        r.body = R"({"error":"Origin not allowed"})";
    } else {
        r.status = 204;
        r.headers = std::move(headers);
    }
    r.set("Allow", allow);
    // The preflight headers already carry Vary and the origin: not finish()'s CORS headers.
    metrics_.add("tj_host_http_requests_total",
                 {{"endpoint", endpoint_of(path_of(req.target))}, {"code", std::to_string(r.status)}});
    respond(std::move(r));
}

void ServeApp::webhook(HttpRequest req, Respond respond, std::chrono::steady_clock::time_point started) {
    auto count = [this](const char* result) { metrics_.add("tj_host_webhook_deliveries_total", {{"result", result}}); };
    const auto secret = options_.webhook_secret ? options_.webhook_secret() : std::nullopt;
    if (!secret || secret->empty()) {
        count("disabled");
        return respond_json(
            req, respond, 404,
            boost::json::object{{"error", "Webhooks are off: INTEGRATION_CIRCLECI_WEBHOOK_SECRET is not set"}},
            started);
    }
    // Checked before anything is read from the body: an unsigned delivery changes nothing.
    if (!verify_circleci_signature(req.header("circleci-signature"), req.body, *secret)) {
        count("unauthorized");
        return respond_json(req, respond, 401, boost::json::object{{"error", "Invalid signature"}}, started);
    }
    auto event = read_circleci_delivery(req.body, req.header("circleci-event-type"));
    if (!event.ok()) {
        count("invalid");
        return respond_json(req, respond, 400, boost::json::object{{"error", event.problem}}, started);
    }
    if (seen_events_.contains(event.id)) {
        count("duplicate");
        return respond_json(req, respond, 200, boost::json::object{{"status", "duplicate"}, {"id", event.id}}, started);
    }
    if (!options_.shared) {
        if (!seen_events_.insert(event.id)) {
            count("duplicate");
            return respond_json(req, respond, 200, boost::json::object{{"status", "duplicate"}, {"id", event.id}},
                                started);
        }
        return accept_event(req, respond, event.id, event.event_json, started);
    }
    // Remembered for every replica; Redis unable to say: this replica's memory decides alone.
    auto shared_req = std::make_shared<HttpRequest>(std::move(req));
    shared_req->body.clear();
    options_.shared->remember_event(
        "circleci:" + event.id, [this, shared_req, respond = std::move(respond), started, id = event.id,
                                 json = std::move(event.event_json), count](std::optional<bool> first) {
            const bool fresh_here = seen_events_.insert(id);
            if ((first && !*first) || (!first && !fresh_here)) {
                count("duplicate");
                return respond_json(*shared_req, respond, 200, boost::json::object{{"status", "duplicate"}, {"id", id}},
                                    started);
            }
            options_.shared->broadcast_event(json);
            accept_event(*shared_req, respond, id, json, started);
        });
}

// Plugins take an event and return at once (TJ_PLUGIN_EVENTS_V1): CircleCI is answered well
// within its 10 s.
void ServeApp::accept_event(const HttpRequest& req, const Respond& respond, const std::string& id,
                            const std::string& event_json, std::chrono::steady_clock::time_point started) {
    metrics_.add("tj_host_webhook_deliveries_total", {{"result", "accepted"}});
    const auto taken = runner_.notify_all(event_json);
    metrics_.add("tj_host_events_notified_total", {{"from", "webhook"}}, static_cast<double>(taken));
    respond_json(req, respond, 200, boost::json::object{{"status", "accepted"}, {"id", id}, {"integrations", taken}},
                 started);
}

void ServeApp::on_replica_event(const std::string& event_json) {
    const auto id = event_id_of(event_json);
    if (!id.empty() && !seen_events_.insert(id)) {
        return;
    }
    const auto taken = runner_.notify_all(event_json);
    metrics_.add("tj_host_events_notified_total", {{"from", "replica"}}, static_cast<double>(taken));
}

void ServeApp::context(HttpRequest req, Respond respond, std::chrono::steady_clock::time_point started) {
    auto body = check_context_body(req.body);
    if (!body.ok()) {
        return respond_json(req, respond, 400, invalid_body_response(body.problems), started);
    }
    metrics_.add("tj_host_context_queries_total", {});
    auto shared_req = std::make_shared<HttpRequest>(std::move(req));
    shared_req->body.clear();
    runner_.run(body.context, [this, shared_req, respond = std::move(respond), started](boost::json::object result) {
        respond_json(*shared_req, respond, 200, result, started);
    });
}

void ServeApp::preview(HttpRequest req, Respond respond, std::chrono::steady_clock::time_point started) {
    auto in = std::make_shared<PreviewInput>();
    in->response = nullptr;
    const auto q = req.target.find('?');
    if (q != std::string::npos) {
        auto url = boost::urls::parse_origin_form(req.target);
        if (!url) {
            in->error = "the query string cannot be read: " + url.error().message();
        } else {
            for (const auto& p : url->params()) {
                if (p.key == "repo") {
                    in->repo = p.value;
                }
                if (p.key == "service") {
                    in->service = p.value;
                }
                if (p.key == "branch") {
                    in->branch = p.value;
                }
                if (p.key == "commit") {
                    in->commit = p.value;
                }
            }
        }
    }
    auto page = [this, req, respond, started](const PreviewInput& input) {
        HttpResponse r;
        r.set("Content-Type", "text/html; charset=utf-8");
        // The page is self-contained: nothing may load from elsewhere.
        r.set("Content-Security-Policy",
              "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; "
              "frame-ancestors 'none'");
        r.set("X-Content-Type-Options", "nosniff");
        try {
#ifdef TJ_HOST_NO_PREVIEW_RENDERER
            (void)input;
            throw std::runtime_error("this build has no preview renderer");
#else
            r.body = render_preview_html(input);
#endif
        } catch (const std::exception& e) {
            r.status = 501;
            r.headers.clear();
            r.set("Content-Type", kJson);
            r.body = boost::json::serialize(boost::json::object{{"error", std::string("preview failed: ") + e.what()}});
        }
        finish(req, respond, std::move(r), started);
    };
    if (in->repo.empty() || !in->error.empty()) {
        return page(*in);
    }
    boost::json::value context;
    try {
        context = context_from_repo({in->repo, in->service, in->branch, in->commit});
    } catch (const std::exception& e) {
        in->error = e.what();
        return page(*in);
    }
    in->mappings = runner_.resolve_all(context);
    runner_.run(context, [in, page](boost::json::object result) {
        in->response = std::move(result);
        page(*in);
    });
}

}  // namespace tjhost
