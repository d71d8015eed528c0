// Replays a server's bytes through net::read_response without a socket: a
// boost::beast::test::stream delivers them (a few bytes a read, if asked), then ends like a
// closed TCP connection (EOF) or like a TLS server that closed without close_notify
// (stream_truncated). Used by unit_net and by the fuzz target fuzz_http_response.
#pragma once

#include "net/response_reader.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tjc::testing {

// A test stream whose end reads as a TLS stream's truncation when asked to.
class PeerStream {
public:
    using executor_type = boost::beast::test::stream::executor_type;

    PeerStream(boost::asio::io_context& ioc, std::string_view bytes, std::size_t read_size, bool tls_truncation)
        : inner_(ioc, bytes), tls_truncation_(tls_truncation) {
        inner_.read_size(read_size);
        inner_.close_remote();  // after the bytes: the end of the stream
    }

    executor_type get_executor() noexcept { return inner_.get_executor(); }

    template <typename MutableBuffers, typename Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        using boost::system::error_code;
        return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
            [this](auto handler, const MutableBuffers& b) {
                inner_.async_read_some(b, [this, h = std::move(handler)](error_code ec, std::size_t n) mutable {
                    if (tls_truncation_ && ec == boost::asio::error::eof) {
                        ec = boost::asio::ssl::error::stream_truncated;
                    }
                    std::move(h)(ec, n);
                });
            },
            token, buffers);
    }

private:
    boost::beast::test::stream inner_;
    bool tls_truncation_;
};

// One response read as HttpsConnection reads it.
struct Replay {
    boost::beast::flat_buffer buffer;  // what is left after the response
    net::ResponseParser parser;
    boost::system::error_code ec;
    bool finished = false;  // the reader completed (it must, once the peer has closed)

    [[nodiscard]] bool received_any() const { return parser.got_some() || buffer.size() > 0; }
};

inline boost::asio::awaitable<void> replay_read(PeerStream& stream, Replay& out, std::uint64_t body_limit) {
    out.ec = co_await net::read_response(stream, out.buffer, out.parser, body_limit);
    out.finished = true;
}

// Reads one response from bytes into out. read_size: bytes per read.
inline void replay_response(Replay& out, std::string_view bytes, std::uint64_t body_limit,
                            std::size_t read_size = std::size_t(1) << 30, bool tls_truncation = false) {
    static boost::asio::io_context ioc;  // one for every replay: cheaper than a new one each
    ioc.restart();
    PeerStream stream(ioc, bytes, read_size, tls_truncation);
    boost::asio::co_spawn(ioc, replay_read(stream, out, body_limit), boost::asio::detached);
    ioc.run();
}

}  // namespace tjc::testing
