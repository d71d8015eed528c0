#include "http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <optional>
#include <stdexcept>

namespace tjhost {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::chrono::seconds kWriteTimeout{10};

// Cancels a connection's pending socket operation when its deadline passes (Beast's own
// stream timeout closes the socket, and then no 408 could be written).
struct Watchdog {
    explicit Watchdog(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    bool fired = false;

    void arm(tcp::socket& socket, std::chrono::steady_clock::duration d) {
        fired = false;
        timer.expires_after(d);
        timer.async_wait([this, &socket](beast::error_code ec) {
            if (ec) {
                return;
            }
            fired = true;
            beast::error_code ignored;
            socket.cancel(ignored);
        });
    }
    void disarm() { timer.cancel(); }
};

}  // namespace

struct HttpServer::Impl {
    HttpServerOptions options;
    Handler handler;
    Rejection rejection;
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    std::optional<asio::ssl::context> ssl;
    std::size_t connections = 0;
    std::size_t in_flight = 0;
    bool draining = false;

    HttpResponse reject(int status, const std::string& message, const std::string& origin) {
        return rejection(status, message, origin);
    }

    // How write() sends a response: keep the connection open after it; the header only (HEAD).
    struct WriteAs {
        bool keep_alive = false;
        bool head = false;
    };

    template <class Stream>
    asio::awaitable<bool> write(Stream& stream, Watchdog& dog, const HttpResponse& r, WriteAs as) {
        http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
        res.set(http::field::server, "tj-host");
        for (const auto& [k, v] : r.headers) {
            res.set(k, v);
        }
        res.body() = r.body;
        res.keep_alive(as.keep_alive);
        if (r.status != 204 && r.status != 304) {
            res.prepare_payload();
        }
        beast::error_code ec;
        dog.arm(beast::get_lowest_layer(stream).socket(), kWriteTimeout);
        if (as.head) {
            // HEAD: the GET's header, Content-Length included, and no body (RFC 9110 9.3.2).
            http::response_serializer<http::string_body> sr{res};
            co_await http::async_write_header(stream, sr, asio::redirect_error(asio::use_awaitable, ec));
        } else {
            co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        }
        dog.disarm();
        co_return !ec;
    }

    // Serves one connection's requests, in order, until it closes, errs or times out.
    template <class Stream>
    asio::awaitable<void> serve(Stream& stream, const std::string& client) {
        auto& socket = beast::get_lowest_layer(stream).socket();
        Watchdog dog(socket.get_executor());
        beast::flat_buffer buffer;
        if (connections > options.max_connections) {
            const HttpResponse busy = reject(503, "Too many connections", "");
            co_await write(stream, dog, busy, WriteAs{.keep_alive = false, .head = false});
            co_return;
        }
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(kHeaderLimit);
            parser.body_limit(options.body_limit);
            beast::error_code ec;
            dog.arm(socket, options.read_timeout);
            co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
            if (!ec && parser.get()[http::field::expect] == "100-continue" && !parser.is_done()) {
                http::response<http::empty_body> cont{http::status::continue_, 11};
                co_await http::async_write(stream, cont, asio::redirect_error(asio::use_awaitable, ec));
            }
            if (!ec && !parser.is_done()) {
                co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
            }
            const bool timed_out = dog.fired;
            dog.disarm();
            if (ec) {
                const std::string origin =
                    parser.is_header_done() ? std::string(parser.get()[http::field::origin]) : "";
                std::optional<HttpResponse> error;
                if (ec == http::error::body_limit) {
                    error = reject(413, "Request body larger than " + std::to_string(options.body_limit) + " bytes",
                                   origin);
                } else if (ec == http::error::header_limit) {
                    error = reject(431, "Request header fields too large", origin);
                } else if (timed_out) {
                    // Silence between keep-alive requests is not an error: close quietly.
                    if (parser.got_some() || buffer.size() > 0) {
                        error = reject(408, "Request timeout", origin);
                    }
                } else if (ec != http::error::end_of_stream && ec != asio::error::eof &&
                           ec != asio::error::connection_reset && ec != asio::ssl::error::stream_truncated &&
                           ec != asio::error::operation_aborted && (parser.got_some() || buffer.size() > 0)) {
                    error = reject(400, "Bad request: " + ec.message(), origin);
                }
                // A named local: GCC 12 mishandles temporaries bound to coroutine parameters.
                if (error) {
                    const HttpResponse& response = *error;
                    co_await write(stream, dog, response, WriteAs{.keep_alive = false, .head = false});
                }
                co_return;
            }
            auto& req = parser.get();
            HttpRequest request;
            request.method = std::string(req.method_string());
            request.target = std::string(req.target());
            for (const auto& f : req) {
                std::string name(f.name_string());
                for (auto& c : name) {
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                }
                request.headers.emplace_back(std::move(name), std::string(f.value()));
            }
            request.body = std::move(req.body());
            request.client = client;
            const bool head = request.method == "HEAD";
            const bool wants_keep_alive = req.keep_alive();

            ++in_flight;
            // The handler answers from any thread; the answer comes back to this one by post().
            auto initiation = [this, &request](auto completion) {
                using C = decltype(completion);
                auto shared = std::make_shared<C>(std::move(completion));
                auto ex = asio::get_associated_executor(*shared, io.get_executor());
                try {
                    handler(std::move(request), [shared, ex](HttpResponse r) {
                        asio::post(ex, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
                    });
                } catch (const std::exception& e) {
                    HttpResponse r = reject(500, std::string("internal error: ") + e.what(), "");
                    asio::post(ex, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
                }
            };
            HttpResponse response = co_await asio::async_initiate<decltype(asio::use_awaitable), void(HttpResponse)>(
                initiation, asio::use_awaitable);
            const bool keep_alive = wants_keep_alive && !response.close && !draining;
            const bool ok = co_await write(stream, dog, response, WriteAs{.keep_alive = keep_alive, .head = head});
            --in_flight;
            if (!ok || !keep_alive) {
                co_return;
            }
        }
    }

    // Closing with unread input makes the kernel send RST, which can destroy the response
    // still on its way (a 413 sent before the body was read): send FIN, read and discard
    // what the client still sends, for a short while, then close.
    asio::awaitable<void> linger(tcp::socket& socket) {
        beast::error_code ec;
        socket.shutdown(tcp::socket::shutdown_send, ec);
        Watchdog dog(socket.get_executor());
        dog.arm(socket, std::chrono::seconds(2));
        std::array<char, 4096> sink{};
        std::size_t total = 0;
        while (!ec && total < (1u << 20)) {
            total += co_await socket.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
        }
        dog.disarm();
    }

    asio::awaitable<void> connection(tcp::socket socket) {
        ++connections;
        struct Count {
            std::size_t& n;
            ~Count() { --n; }
        } count{connections};
        beast::error_code ec;
        const auto peer = socket.remote_endpoint(ec);
        const std::string client = ec ? "unknown" : peer.address().to_string();
        if (!ssl) {
            beast::tcp_stream stream(std::move(socket));
            co_await serve(stream, client);
            co_await linger(stream.socket());
            co_return;
        }
        beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ssl);
        Watchdog dog(stream.get_executor());
        dog.arm(beast::get_lowest_layer(stream).socket(), options.read_timeout);
        co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
        dog.disarm();
        if (ec) {
            co_return;
        }
        co_await serve(stream, client);
        dog.arm(beast::get_lowest_layer(stream).socket(), std::chrono::seconds(2));
        co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
        dog.disarm();
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            beast::error_code ec;
            tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (!acceptor.is_open()) {
                    co_return;
                }
                continue;  // e.g. EMFILE: the next accept may succeed
            }
            asio::co_spawn(io, connection(std::move(socket)), asio::detached);
        }
    }
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler, Rejection rejection)
    : impl_(std::make_unique<Impl>()) {
    auto& s = *impl_;
    s.options = std::move(options);
    s.handler = std::move(handler);
    s.rejection = std::move(rejection);
    if (!s.options.tls_cert_file.empty() || !s.options.tls_key_file.empty()) {
        if (s.options.tls_cert_file.empty() || s.options.tls_key_file.empty()) {
            throw std::runtime_error("TLS needs both --tls-cert and --tls-key");
        }
        s.ssl.emplace(asio::ssl::context::tls_server);
        s.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1);
        beast::error_code ec;
        s.ssl->use_certificate_chain_file(s.options.tls_cert_file, ec);
        if (ec) {
            throw std::runtime_error("cannot use the certificate " + s.options.tls_cert_file + ": " + ec.message());
        }
        s.ssl->use_private_key_file(s.options.tls_key_file, asio::ssl::context::pem, ec);
        if (ec) {
            throw std::runtime_error("cannot use the key " + s.options.tls_key_file + ": " + ec.message());
        }
    }
    beast::error_code ec;
    const auto address = asio::ip::make_address(s.options.host, ec);
    if (ec) {
        throw std::runtime_error("--listen: '" + s.options.host + "' is not an IP address");
    }
    const tcp::endpoint ep{address, s.options.port};
    s.acceptor.open(ep.protocol(), ec);
    if (!ec) {
        s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        s.acceptor.bind(ep, ec);
    }
    if (!ec) {
        s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw std::runtime_error("cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) + ": " +
                                 ec.message());
    }
}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }
bool HttpServer::tls() const { return impl_->ssl.has_value(); }

void HttpServer::run(std::function<void()> on_hup, std::function<void()> on_drain) {
    auto& s = *impl_;
    asio::signal_set signals(s.io, SIGTERM, SIGINT, SIGHUP);
    asio::steady_timer drain_timer(s.io);
    std::chrono::steady_clock::time_point drain_deadline{};

    std::function<void()> wait_drained = [&] {
        if (s.in_flight == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
            s.io.stop();
            return;
        }
        drain_timer.expires_after(std::chrono::milliseconds(20));
        drain_timer.async_wait([&](beast::error_code) { wait_drained(); });
    };
    std::function<void(beast::error_code, int)> on_signal = [&](beast::error_code ec, int sig) {
        if (ec) {
            return;
        }
        if (sig == SIGHUP) {
            if (on_hup) {
                on_hup();
            }
            signals.async_wait(on_signal);
            return;
        }
        s.draining = true;
        beast::error_code ignored;
        s.acceptor.close(ignored);
        if (on_drain) {
            on_drain();
        }
        drain_deadline = std::chrono::steady_clock::now() + s.options.drain_timeout;
        wait_drained();
    };
    signals.async_wait(on_signal);
    asio::co_spawn(s.io, s.accept_loop(), asio::detached);
    s.io.run();
}

}  // namespace tjhost
