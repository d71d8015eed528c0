// The only Asio TU of the Redis client (no Beast, no TLS): sockets, timers, reconnects.
#include "redis/redis_client.hpp"

#include "redis/backoff.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <future>
#include <thread>

namespace tjhost::redis {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

// One connection attempt and its life: the socket, its reader and what waits to be written.
struct Conn {
    explicit Conn(asio::io_context& io) : socket(io), resolver(io), connect_timer(io) {}
    tcp::socket socket;
    tcp::resolver resolver;
    asio::steady_timer connect_timer;
    RespReader reader;
    std::string outbox;   // formatted commands not yet handed to a write
    std::string writing;  // the bytes of the write in progress
    bool write_busy = false;
    bool closed = false;
    std::array<char, 16 * 1024> buffer{};

    void close() {
        closed = true;
        error_code ignored;
        socket.close(ignored);
        resolver.cancel();
        connect_timer.cancel();
    }
};

}  // namespace

struct Client::Impl {
    ClientOptions opts;
    OnMessage on_message;
    std::function<void()> on_resync;

    // The client's thread only (below the io_context in declaration: destroyed after it).
    Breaker breaker;
    Backoff cmd_backoff;
    Backoff sub_backoff;
    struct Pending {
        Done done;  // empty for the client's own AUTH/SELECT
        Clock::time_point deadline;
        std::string what;  // the command's name, for an error message
    };
    std::deque<Pending> pending;  // in the order sent: replies come in that order
    std::shared_ptr<Conn> cmd;
    bool cmd_up = false;
    bool timer_armed = false;
    bool probe_scheduled = false;
    bool subscribed_before = false;
    std::shared_ptr<Conn> sub;
    bool stopped = false;

    // Snapshots for health(), written on the client's thread.
    std::atomic<bool> a_connected{false};
    std::atomic<bool> a_subscribed{false};
    std::atomic<int> a_breaker{0};
    std::atomic<std::uint64_t> a_trips{0};
    std::atomic<std::uint64_t> a_errors{0};
    std::atomic<std::uint64_t> a_reconnects{0};

    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    asio::steady_timer call_timer{io};
    std::thread thread;

    Impl(ClientOptions o, OnMessage m, std::function<void()> s)
        : opts(std::move(o)),
          on_message(std::move(m)),
          on_resync(std::move(s)),
          breaker(opts.breaker),
          cmd_backoff(opts.backoff_first, opts.backoff_cap),
          sub_backoff(opts.backoff_first, opts.backoff_cap) {}

    void publish_health() {
        a_connected = cmd_up;
        a_breaker = static_cast<int>(breaker.state());
        a_trips = breaker.trips();
    }

    // ---- connecting ----

    // Resolves and connects c within connect_timeout, then calls then(ec).
    template <class Then>
    void open(const std::shared_ptr<Conn>& c, Then then) {
        c->connect_timer.expires_after(opts.connect_timeout);
        c->connect_timer.async_wait([c](error_code ec) {
            if (!ec && !c->closed) {
                c->close();  // the connect below then fails with operation_aborted
            }
        });
        c->resolver.async_resolve(opts.endpoint.host, std::to_string(opts.endpoint.port),
                                  [this, c, then](error_code ec, tcp::resolver::results_type results) mutable {
                                      if (ec || c->closed || stopped) {
                                          c->connect_timer.cancel();
                                          return then(ec ? ec : asio::error::operation_aborted);
                                      }
                                      asio::async_connect(c->socket, results,
                                                          [c, then](error_code ec2, const tcp::endpoint&) mutable {
                                                              c->connect_timer.cancel();
                                                              if (!ec2 && c->closed) {
                                                                  ec2 = asio::error::operation_aborted;
                                                              }
                                                              if (!ec2) {
                                                                  error_code ignored;
                                                                  c->socket.set_option(tcp::no_delay(true), ignored);
                                                              }
                                                              then(ec2);
                                                          });
                                  });
    }

    void connect_cmd() {
        if (stopped) {
            return;
        }
        auto c = std::make_shared<Conn>(io);
        cmd = c;
        open(c, [this, c](error_code ec) {
            if (stopped || cmd != c) {
                return;
            }
            if (ec) {
                c->close();
                return retry_cmd();
            }
            cmd_up = true;
            cmd_backoff.reset();
            if (!opts.password.empty()) {
                send_internal({"AUTH", opts.password}, "AUTH");
            }
            if (opts.endpoint.db != 0) {
                send_internal({"SELECT", std::to_string(opts.endpoint.db)}, "SELECT");
            }
            publish_health();
            read_cmd(c);
            schedule_probe();
        });
    }

    // An open breaker is probed by the client itself once its pause is over (a PING), so that
    // sharing resumes without waiting for a request that misses the local cache. A probe that
    // fails opens it again (and this schedules the next); one that cannot go yet is retried.
    void schedule_probe() {
        if (probe_scheduled || stopped || breaker.state() == Breaker::State::closed) {
            return;
        }
        probe_scheduled = true;
        auto wait = std::chrono::milliseconds(100);  // half-open: a probe is under way
        if (breaker.state() == Breaker::State::open) {
            wait = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(breaker.reopen_at() - Clock::now()),
                            std::chrono::milliseconds(0));
        }
        after_internal(wait, [this] {
            probe_scheduled = false;
            if (!cmd_up) {
                return;  // the reconnect schedules it again
            }
            const auto now = Clock::now();
            if (!breaker.allow(now)) {
                return schedule_probe();
            }
            publish_health();
            pending.push_back({[this](const Result&) { schedule_probe(); }, now + opts.call_timeout, "PING"});
            write(cmd, format_command({"PING"}));
            arm_timer();
        });
    }

    void retry_cmd() {
        ++a_reconnects;
        after_internal(cmd_backoff.next(), [this] { connect_cmd(); });
    }

    template <class Fn>
    void after_internal(std::chrono::milliseconds delay, Fn fn) {
        auto t = std::make_shared<asio::steady_timer>(io, delay);
        t->async_wait([this, t, fn](error_code ec) mutable {
            if (!ec && !stopped) {
                fn();
            }
        });
    }

    // ---- commands ----

    void send_internal(const std::vector<std::string>& args, const char* what) {
        pending.push_back({Done{}, Clock::now() + opts.call_timeout, what});
        write(cmd, format_command(args));
        arm_timer();
    }

    void submit(std::string bytes, std::string what, Done done) {
        if (stopped) {
            return;
        }
        const auto now = Clock::now();
        const char* refusal = !cmd_up ? "not connected" : !breaker.allow(now) ? "breaker open" : nullptr;
        publish_health();
        if (refusal) {
            ++a_errors;
            return done(Result{false, {}, refusal});
        }
        pending.push_back({std::move(done), now + opts.call_timeout, std::move(what)});
        write(cmd, std::move(bytes));
        arm_timer();
    }

    void write(const std::shared_ptr<Conn>& c, std::string bytes) {
        c->outbox += bytes;
        if (!c->write_busy) {
            start_write(c);
        }
    }

    void start_write(const std::shared_ptr<Conn>& c) {
        if (c->outbox.empty() || c->closed) {
            return;
        }
        c->write_busy = true;
        c->writing.swap(c->outbox);
        c->outbox.clear();
        asio::async_write(c->socket, asio::buffer(c->writing), [this, c](error_code ec, std::size_t) {
            c->write_busy = false;
            c->writing.clear();
            if (stopped || c->closed) {
                return;
            }
            if (ec) {
                return fail(c, "write failed: " + ec.message());
            }
            start_write(c);
        });
    }

    // One timer for the oldest call: replies come in order, so it has the earliest deadline.
    void arm_timer() {
        if (timer_armed || pending.empty()) {
            return;
        }
        timer_armed = true;
        call_timer.expires_at(pending.front().deadline);
        call_timer.async_wait([this](error_code ec) {
            timer_armed = false;
            if (ec || stopped) {
                return;
            }
            if (!pending.empty() && pending.front().deadline <= Clock::now()) {
                return fail(cmd, "timed out after " + std::to_string(opts.call_timeout.count()) + " ms");
            }
            arm_timer();
        });
    }

    void read_cmd(const std::shared_ptr<Conn>& c) {
        c->socket.async_read_some(asio::buffer(c->buffer), [this, c](error_code ec, std::size_t n) {
            if (stopped || c->closed) {
                return;
            }
            if (ec) {
                return fail(c, ec == asio::error::eof ? "connection closed by Redis" : "read failed: " + ec.message());
            }
            try {
                c->reader.feed(std::string_view(c->buffer.data(), n));
                while (auto reply = c->reader.next()) {
                    if (!deliver(c, std::move(*reply))) {
                        return;
                    }
                }
            } catch (const std::exception& e) {
                return fail(c, e.what());
            }
            read_cmd(c);
        });
    }

    // One reply to the oldest call; false when the connection was failed meanwhile.
    bool deliver(const std::shared_ptr<Conn>& c, Value reply) {
        if (pending.empty()) {
            fail(c, "a reply nobody asked for");
            return false;
        }
        auto p = std::move(pending.front());
        pending.pop_front();
        if (!p.done) {
            if (reply.is_error()) {
                fail(c, p.what + " refused: " + reply.str);
                return false;
            }
            return true;
        }
        const bool recovered = breaker.state() != Breaker::State::closed;
        breaker.success();
        publish_health();
        if (recovered) {
            on_resync();  // purges may have been lost while calls failed
        }
        Result r;
        r.ok = !reply.is_error();
        if (!r.ok) {
            ++a_errors;
            r.error = "Redis: " + reply.str;
        }
        r.value = std::move(reply);
        p.done(std::move(r));
        return !c->closed && !stopped;
    }

    // The command connection is broken or too slow: every call in flight fails, the breaker
    // hears of it, and a new connection is made after the backoff.
    void fail(const std::shared_ptr<Conn>& c, const std::string& why) {
        if (!c || c != cmd || c->closed) {
            return;
        }
        c->close();
        cmd_up = false;
        breaker.failure(Clock::now());
        auto failed = std::move(pending);
        pending.clear();
        publish_health();
        for (auto& p : failed) {
            if (p.done) {
                ++a_errors;
                p.done(Result{false, {}, why});
            }
            if (stopped) {
                return;
            }
        }
        retry_cmd();
        schedule_probe();
    }

    // ---- pub/sub ----

    void connect_sub() {
        if (stopped || opts.channels.empty()) {
            return;
        }
        auto c = std::make_shared<Conn>(io);
        sub = c;
        open(c, [this, c](error_code ec) {
            if (stopped || sub != c) {
                return;
            }
            if (ec) {
                c->close();
                return retry_sub();
            }
            std::string out;
            if (!opts.password.empty()) {
                out += format_command({"AUTH", opts.password});
            }
            std::vector<std::string> args{"SUBSCRIBE"};
            args.insert(args.end(), opts.channels.begin(), opts.channels.end());
            out += format_command(args);
            write(c, std::move(out));
            read_sub(c);
        });
    }

    void retry_sub() {
        a_subscribed = false;
        after_internal(sub_backoff.next(), [this] { connect_sub(); });
    }

    void read_sub(const std::shared_ptr<Conn>& c) {
        c->socket.async_read_some(asio::buffer(c->buffer), [this, c](error_code ec, std::size_t n) {
            if (stopped || c->closed) {
                return;
            }
            bool ok = !ec;
            try {
                if (ok) {
                    c->reader.feed(std::string_view(c->buffer.data(), n));
                    while (ok && !stopped) {
                        auto reply = c->reader.next();
                        if (!reply) {
                            break;
                        }
                        ok = on_sub_reply(*reply);
                    }
                }
            } catch (const std::exception&) {
                ok = false;
            }
            if (stopped) {
                return;
            }
            if (!ok) {
                c->close();
                return retry_sub();
            }
            read_sub(c);
        });
    }

    bool on_sub_reply(const Value& v) {
        if (v.is_error()) {
            return false;
        }
        if (v.type != Value::Type::array || v.elements.size() != 3) {
            return true;  // AUTH's +OK
        }
        const auto& kind = v.elements[0].str;
        if (kind == "message") {
            on_message(v.elements[1].str, v.elements[2].str);
        } else if (kind == "subscribe" && v.elements[2].integer == static_cast<long long>(opts.channels.size())) {
            sub_backoff.reset();
            a_subscribed = true;
            if (subscribed_before) {
                on_resync();  // messages may have been missed while it was down
            }
            subscribed_before = true;
        }
        return true;
    }

    // ---- stop ----

    void stop_here() {
        stopped = true;
        if (cmd) {
            cmd->close();
        }
        if (sub) {
            sub->close();
        }
        call_timer.cancel();
        pending.clear();  // dropped: never called
        cmd_up = false;
        a_connected = false;
        a_subscribed = false;
    }
};

Client::Client(ClientOptions options, OnMessage on_message, std::function<void()> on_resync)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(on_message), std::move(on_resync))) {
    auto* impl = impl_.get();
    asio::post(impl->io, [impl] {
        impl->connect_cmd();
        impl->connect_sub();
    });
    impl->thread = std::thread([impl] { impl->io.run(); });
}

Client::~Client() {
    shutdown();
    impl_->work.reset();
    impl_->io.stop();
    if (impl_->thread.joinable()) {
        impl_->thread.join();
    }
    // Their sockets go before the io_context they belong to (declared after them).
    impl_->cmd.reset();
    impl_->sub.reset();
}

void Client::call(std::vector<std::string> args, Done done) {
    auto bytes = format_command(args);
    auto* impl = impl_.get();
    asio::post(impl->io, [impl, bytes = std::move(bytes), what = args.empty() ? std::string() : args.front(),
                          done = std::move(done)]() mutable {
        impl->submit(std::move(bytes), std::move(what), std::move(done));
    });
}

void Client::after(std::chrono::milliseconds delay, std::function<void()> fn) {
    auto* impl = impl_.get();
    asio::post(impl->io, [impl, delay, fn = std::move(fn)]() mutable { impl->after_internal(delay, std::move(fn)); });
}

Health Client::health() const {
    Health h;
    h.connected = impl_->a_connected.load();
    h.subscribed = impl_->a_subscribed.load();
    h.breaker = static_cast<Breaker::State>(impl_->a_breaker.load());
    h.breaker_trips = impl_->a_trips.load();
    h.errors = impl_->a_errors.load();
    h.reconnects = impl_->a_reconnects.load();
    return h;
}

void Client::shutdown() {
    auto* impl = impl_.get();
    if (!impl->thread.joinable() || impl->io.stopped()) {
        return;
    }
    std::promise<void> done;
    auto stopped = done.get_future();
    asio::post(impl->io, [impl, &done] {
        if (!impl->stopped) {
            impl->stop_here();
        }
        done.set_value();
    });
    stopped.wait();
}

}  // namespace tjhost::redis
