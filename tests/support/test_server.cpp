// The only Beast+SSL translation unit of the test server: sockets, TLS and fault injection.
// What to answer comes from api_router (pure); certificates from test_certs (no Beast).
#include "test_server.hpp"

#include "api_router.hpp"
#include "test_certs.hpp"
#include "world.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tjc::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

using Stream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
auto awaitable_ec(boost::system::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

bool is_connection_fault(FaultKind k) { return k == FaultKind::refuse_connections || k == FaultKind::wrong_host_cert; }

bool matches(const std::string& prefix, const TargetPaths& p) {
    return prefix.empty() || p.raw.rfind(prefix, 0) == 0 || p.decoded.rfind(prefix, 0) == 0;
}

void configure_tls(ssl::context& ctx, const KeyAndCert& kc) {
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.use_certificate_chain(asio::buffer(kc.cert_pem));
    ctx.use_private_key(asio::buffer(kc.key_pem), ssl::context::pem);
}

std::string json_message(std::string_view text) {
    return boost::json::serialize(boost::json::object{{"message", text}});
}

// A body of exactly `bytes` bytes (at least ~40) that is still valid JSON.
std::string oversized_json(std::size_t bytes) {
    std::string head = R"({"items":[],"next_page_token":null,"padding":")";
    std::string tail = "\"}";
    std::size_t pad = bytes > head.size() + tail.size() ? bytes - head.size() - tail.size() : 0;
    return head + std::string(pad, 'x') + tail;
}

std::string serialize(const Response& res) {
    std::ostringstream os;
    os << res;
    return os.str();
}

enum class After { keep_alive, close, dropped };

}  // namespace

struct TestServer::Impl {
    TestServerOptions opts;
    World world;
    RouterOptions router;
    std::string cert_dir;
    bool own_cert_dir = false;
    std::string ca_path;
    ssl::context tls{ssl::context::tls_server};
    ssl::context wrong_tls{ssl::context::tls_server};

    mutable std::mutex mu;
    std::vector<FaultSpec> faults;                               // guarded by mu
    std::vector<TargetPaths> seen;                               // guarded by mu
    std::vector<std::chrono::steady_clock::time_point> seen_at;  // guarded by mu: when each was read
    bool refusing = false;                                       // guarded by mu
    std::atomic<std::size_t> handshake_count{0};
    std::atomic<std::size_t> connection_count{0};
    std::atomic<std::size_t> open_count{0};  // written on the io thread only
    std::atomic<std::size_t> peak_open{0};

    std::set<beast::tcp_stream*> open_streams;  // io thread only
    tcp::endpoint endpoint;                     // io thread only once started
    std::uint16_t port = 0;                     // fixed after construction
    std::string host;
    unsigned generation = 0;  // io thread only: ends stale accept loops
    std::atomic<bool> stopped{false};

    // Declared last: destroyed first, so suspended sessions die while the state above lives.
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    // Keeps run() going while the listener is closed (refuse_connections) and nothing is open.
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
    std::thread thread;

    explicit Impl(TestServerOptions o) : opts(std::move(o)), world(load_world(opts.world_path, opts.shift_times)) {
        router.token = opts.token;
        router.page_size = opts.page_size;
        router.slugs_ignore_case = opts.slugs_ignore_case;
        router.pipeline_page_size = opts.pipeline_page_size;
        router.clone_of = opts.clone_of;
        TestCerts certs = make_test_certs();
        configure_tls(tls, certs.server);
        configure_tls(wrong_tls, certs.wrong_host);
        write_ca(certs.ca_cert_pem);
        endpoint = tcp::endpoint(asio::ip::make_address(opts.host), opts.port);
        open_acceptor();
        port = endpoint.port();
        host = endpoint.address().to_string();
        thread = std::thread([this] {
            for (;;) {
                try {
                    ioc.run();
                    return;
                } catch (const std::exception& e) {
                    std::cerr << "circleci-test-server: " << e.what() << "\n";
                }
            }
        });
    }

    ~Impl() {
        stop();
        if (own_cert_dir) {
            std::error_code ec;
            std::filesystem::remove(ca_path, ec);
            std::filesystem::remove(cert_dir, ec);
        }
    }

    void write_ca(const std::string& pem) {
        cert_dir = opts.cert_dir;
        if (cert_dir.empty()) {
            std::string tmpl = (std::filesystem::temp_directory_path() / "tjc-test-server-XXXXXX").string();
            if (!mkdtemp(tmpl.data())) {
                throw std::runtime_error("test server: mkdtemp failed");
            }
            cert_dir = tmpl;
            own_cert_dir = true;
        } else {
            std::filesystem::create_directories(cert_dir);
        }
        ca_path = (std::filesystem::path(cert_dir) / "ca.pem").string();
        std::ofstream out(ca_path, std::ios::binary | std::ios::trunc);
        out << pem;
        if (!out) {
            throw std::runtime_error("test server: cannot write " + ca_path);
        }
    }

    // Runs `f` on the io thread and waits, so a fault is in force when set_fault returns.
    template <class F>
    void on_io(F f) {
        if (stopped || !thread.joinable()) {
            return;
        }
        std::promise<void> done;
        auto fut = done.get_future();
        asio::post(ioc, [&] {
            try {
                f();
            } catch (const std::exception& e) {  // e.g. the port was taken while we refused
                std::cerr << "circleci-test-server: " << e.what() << "\n";
            }
            done.set_value();
        });
        fut.wait();
    }

    void open_acceptor() {
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen();
        endpoint = acceptor.local_endpoint();  // port 0 becomes the real port, kept for reopening
        asio::co_spawn(ioc, accept_loop(++generation), asio::detached);
    }

    void close_everything() {
        boost::system::error_code ec;
        acceptor.close(ec);
        for (auto* s : open_streams) {
            s->socket().shutdown(tcp::socket::shutdown_both, ec);
            s->socket().close(ec);
        }
    }

    void stop() {
        if (stopped.exchange(true)) {
            return;
        }
        if (thread.joinable()) {
            std::promise<void> done;
            auto fut = done.get_future();
            asio::post(ioc, [&] {
                close_everything();
                done.set_value();
            });
            fut.wait_for(5s);
            ioc.stop();
            thread.join();
        }
    }

    std::optional<FaultSpec> take_request_fault(const TargetPaths& p) {
        std::lock_guard lock(mu);
        for (auto it = faults.begin(); it != faults.end(); ++it) {
            if (is_connection_fault(it->kind) || !matches(it->path_prefix, p)) {
                continue;
            }
            FaultSpec hit = *it;
            if (it->count > 0 && --it->count == 0) {
                faults.erase(it);
            }
            return hit;
        }
        return std::nullopt;
    }

    bool take_connection_fault(FaultKind kind) {
        std::lock_guard lock(mu);
        for (auto it = faults.begin(); it != faults.end(); ++it) {
            if (it->kind != kind) {
                continue;
            }
            if (it->count > 0 && --it->count == 0) {
                faults.erase(it);
            }
            return true;
        }
        return false;
    }

    asio::awaitable<void> accept_loop(unsigned my_generation) {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket socket = co_await acceptor.async_accept(awaitable_ec(ec));
            if (my_generation != generation || !acceptor.is_open()) {
                co_return;
            }
            if (ec) {
                continue;
            }
            ++connection_count;
            ssl::context& ctx = take_connection_fault(FaultKind::wrong_host_cert) ? wrong_tls : tls;
            asio::co_spawn(ioc, session(std::move(socket), ctx), asio::detached);
        }
    }

    struct Registered {
        Impl& impl;
        beast::tcp_stream* stream;
        Registered(Impl& i, beast::tcp_stream* s) : impl(i), stream(s) {
            impl.open_streams.insert(s);
            const auto now_open = ++impl.open_count;
            auto peak = impl.peak_open.load();
            while (now_open > peak && !impl.peak_open.compare_exchange_weak(peak, now_open)) {}
        }
        ~Registered() {
            impl.open_streams.erase(stream);
            --impl.open_count;
        }
        Registered(const Registered&) = delete;
        Registered& operator=(const Registered&) = delete;
    };

    asio::awaitable<void> session(tcp::socket socket, ssl::context& ctx) {
        Stream stream(std::move(socket), ctx);
        auto& tcp_layer = beast::get_lowest_layer(stream);
        Registered registered(*this, &tcp_layer);
        boost::system::error_code ec;
        tcp_layer.expires_after(10s);
        co_await stream.async_handshake(ssl::stream_base::server, awaitable_ec(ec));
        if (ec) {
            co_return;
        }
        ++handshake_count;
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(1 << 20);
            tcp_layer.expires_after(120s);  // idle keep-alive connections eventually go
            co_await http::async_read(stream, buffer, parser, awaitable_ec(ec));
            if (ec) {
                co_return;
            }
            tcp_layer.expires_never();
            After after = co_await answer(stream, parser.release());
            if (after == After::dropped) {
                co_return;
            }
            if (after == After::close) {
                break;
            }
        }
        tcp_layer.expires_after(2s);
        co_await stream.async_shutdown(awaitable_ec(ec));
    }

    Response api_response(const Request& req) {
        std::optional<std::string_view> token;
        if (auto it = req.find("Circle-Token"); it != req.end()) {
            token = std::string_view(it->value().data(), it->value().size());
        }
        auto method = req.method_string();
        auto target = req.target();
        ApiResponse api = route_request(
            world, router,
            {std::string_view(method.data(), method.size()), std::string_view(target.data(), target.size()), token});
        Response res{static_cast<http::status>(api.status), req.version()};
        res.set(http::field::content_type, "application/json");
        res.body() = std::move(api.body);
        return res;
    }

    // Rewrites the response as the fault says (for the faults that are just another response).
    static void apply(const FaultSpec& f, Response& res, std::string_view token) {
        auto reply = [&](int status, std::string body, std::string_view type = "application/json") {
            res.result(static_cast<http::status>(status));
            res.set(http::field::content_type, type);
            res.body() = std::move(body);
        };
        switch (f.kind) {
            case FaultKind::http_status: {
                int status = f.status ? f.status : 500;
                auto reason = http::obsolete_reason(static_cast<http::status>(status));
                reply(status, json_message(std::string(reason.data(), reason.size()) + "."));
                break;
            }
            case FaultKind::rate_limit:
                reply(429, json_message("Rate limit exceeded."));
                res.set(http::field::retry_after, std::to_string(f.retry_after_s));
                res.set("RateLimit-Reset", std::to_string(f.retry_after_s));
                res.set("RateLimit-Remaining", "0");
                break;
            case FaultKind::unauthorized: reply(401, json_message("You must log in first.")); break;
            case FaultKind::not_found: reply(404, json_message("Not found.")); break;
            case FaultKind::invalid_json:
                reply(200, R"({"items":[{"id":"5034460f-c7c4-4c43-9457-de07e2029e7b","status":)");
                break;
            case FaultKind::oversized_body: reply(200, oversized_json(f.body_bytes ? f.body_bytes : 5u << 20)); break;
            case FaultKind::redirect:
                reply(f.status >= 300 && f.status < 400 ? f.status : 302, json_message("Moved."));
                res.set(http::field::location, f.location.empty() ? "https://wrong.example/api/v2/me" : f.location);
                break;
            case FaultKind::echo_token: {
                // A careless server: the request's token in its message and in a header.
                const std::string t(token);
                reply(f.status ? f.status : 500,
                      json_message("Invalid request: token " + t + " was not accepted here"));
                res.set("X-Debug-Token", t);
                break;
            }
            case FaultKind::html_error_page:
                reply(502,
                      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                      "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
                      "text/html");
                break;
            default: break;
        }
    }

    asio::awaitable<After> answer(Stream& stream, Request req) {
        TargetPaths paths = target_paths(std::string_view(req.target().data(), req.target().size()));
        {
            std::lock_guard lock(mu);
            seen.push_back(paths);
            seen_at.push_back(std::chrono::steady_clock::now());
        }
        std::optional<FaultSpec> fault = take_request_fault(paths);
        Response res = api_response(req);
        res.set(http::field::server, "circleci-test-server");
        res.keep_alive(req.keep_alive());
        auto& tcp_layer = beast::get_lowest_layer(stream);
        boost::system::error_code ec;

        if (fault) {
            if (fault->kind != FaultKind::slow_drip && fault->delay > 0ms) {
                asio::steady_timer timer(ioc, fault->delay);
                co_await timer.async_wait(awaitable_ec(ec));
                if (ec) {
                    co_return After::dropped;
                }
            }
            std::string_view token;
            if (auto it = req.find("Circle-Token"); it != req.end()) {
                token = {it->value().data(), it->value().size()};
            }
            apply(*fault, res, token);
        }
        res.prepare_payload();

        if (fault && fault->kind == FaultKind::stall) {
            // Never answer; keep the connection until the client gives up (or we stop).
            co_await tcp_layer.socket().async_wait(tcp::socket::wait_read, awaitable_ec(ec));
            co_return After::dropped;
        }
        if (fault && fault->kind == FaultKind::reset_mid_body) {
            std::string wire = serialize(res);
            std::size_t headers = wire.size() - res.body().size();
            co_await asio::async_write(stream, asio::buffer(wire.data(), headers + res.body().size() / 2),
                                       awaitable_ec(ec));
            asio::steady_timer timer(ioc, 20ms);  // let the bytes reach the client before the RST
            co_await timer.async_wait(awaitable_ec(ec));
            tcp_layer.socket().set_option(asio::socket_base::linger(true, 0), ec);
            tcp_layer.socket().close(ec);
            co_return After::dropped;
        }
        if (fault && fault->kind == FaultKind::slow_drip) {
            std::string wire = serialize(res);
            auto gap = fault->delay > 0ms ? fault->delay : std::chrono::milliseconds(50);
            for (std::size_t at = 0; at < wire.size(); at += 16) {
                co_await asio::async_write(stream,
                                           asio::buffer(wire.data() + at, std::min<std::size_t>(16, wire.size() - at)),
                                           awaitable_ec(ec));
                if (ec) {
                    co_return After::dropped;
                }
                asio::steady_timer timer(ioc, gap);
                co_await timer.async_wait(awaitable_ec(ec));
                if (ec) {
                    co_return After::dropped;
                }
            }
            co_return res.keep_alive() ? After::keep_alive : After::close;
        }
        tcp_layer.expires_after(30s);
        co_await http::async_write(stream, res, awaitable_ec(ec));
        tcp_layer.expires_never();
        if (ec) {
            co_return After::dropped;
        }
        co_return res.keep_alive() ? After::keep_alive : After::close;
    }
};

TestServer::TestServer(TestServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
TestServer::~TestServer() = default;

std::uint16_t TestServer::port() const { return impl_->port; }

std::string TestServer::base_url() const {
    return "https://" + impl_->host + ":" + std::to_string(impl_->port) + "/api/v2";
}

std::string TestServer::ca_file() const { return impl_->ca_path; }

void TestServer::set_world(const std::string& world_path) {
    auto next = std::make_shared<World>(load_world(world_path, impl_->opts.shift_times));
    std::promise<void> swapped;
    auto done = swapped.get_future();
    asio::post(impl_->ioc, [this, next, &swapped] {
        impl_->world = std::move(*next);  // the world is read on this thread only
        swapped.set_value();
    });
    done.wait();
}

void TestServer::set_fault(FaultSpec fault) {
    bool refuse = fault.kind == FaultKind::refuse_connections;
    {
        std::lock_guard lock(impl_->mu);
        impl_->faults.push_back(std::move(fault));
        if (refuse) {
            impl_->refusing = true;
        }
    }
    // A server that is down drops its open connections too, so pooled clients notice.
    if (refuse) {
        impl_->on_io([this] { impl_->close_everything(); });
    }
}

void TestServer::clear_faults() {
    bool reopen = false;
    {
        std::lock_guard lock(impl_->mu);
        impl_->faults.clear();
        reopen = std::exchange(impl_->refusing, false);
    }
    if (reopen) {
        impl_->on_io([this] { impl_->open_acceptor(); });
    }
}

std::size_t TestServer::requests(std::string_view path_prefix) const {
    std::lock_guard lock(impl_->mu);
    std::string prefix(path_prefix);
    std::size_t n = 0;
    for (const auto& p : impl_->seen) {
        n += matches(prefix, p) ? 1 : 0;
    }
    return n;
}

std::size_t TestServer::handshakes() const { return impl_->handshake_count; }
std::size_t TestServer::connections() const { return impl_->connection_count; }
std::size_t TestServer::open_connections() const { return impl_->open_count; }
std::size_t TestServer::peak_connections() const { return impl_->peak_open; }

std::vector<RequestRecord> TestServer::request_log() const {
    std::lock_guard lock(impl_->mu);
    std::vector<RequestRecord> out;
    for (std::size_t i = 0; i < impl_->seen.size(); ++i) {
        out.push_back({impl_->seen[i].raw, impl_->seen_at[i]});
    }
    return out;
}

std::size_t dependent_waves(const std::vector<RequestRecord>& log, std::chrono::milliseconds latency) {
    std::vector<std::chrono::steady_clock::time_point> at;
    for (const auto& r : log) {
        at.push_back(r.at);
    }
    std::sort(at.begin(), at.end());
    std::size_t waves = at.empty() ? 0 : 1;
    for (std::size_t i = 1; i < at.size(); ++i) {
        if (at[i] - at[i - 1] > latency / 2) {
            ++waves;
        }
    }
    return waves;
}

void TestServer::reset_counters() {
    std::lock_guard lock(impl_->mu);
    impl_->seen.clear();
    impl_->seen_at.clear();
    impl_->handshake_count = 0;
    impl_->connection_count = 0;
    impl_->peak_open = impl_->open_count.load();
}

void TestServer::stop() { impl_->stop(); }

}  // namespace tjc::testing
