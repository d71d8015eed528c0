// Reading one HTTP/1.1 response off a stream and turning it into what the client acts on.
// Header-only and generic over the stream, so that HttpsConnection (over TLS) and the fuzzer
// (over boost::beast::test::stream) run the same code. Include it only where Beast already is.
#pragma once

#include "net/https_connection.hpp"  // RawResponse

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace tjc::net {

using ResponseParser = boost::beast::http::response_parser<boost::beast::http::string_body>;

inline constexpr std::uint32_t kMaxResponseHeaderBytes = 64 * 1024;

// Reads one response into parser, the body capped at body_limit. Bytes after it stay in buffer.
template <typename AsyncReadStream>
boost::asio::awaitable<boost::system::error_code> read_response(AsyncReadStream& stream,
                                                                boost::beast::flat_buffer& buffer,
                                                                ResponseParser& parser, std::uint64_t body_limit) {
    namespace asio = boost::asio;
    parser.header_limit(kMaxResponseHeaderBytes);
    parser.body_limit(body_limit);
    auto [rec, rn] =
        co_await boost::beast::http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    (void)rn;
    boost::system::error_code ec = rec;
    // A server that ends an EOF-delimited body by closing without close_notify: the only
    // truncation we accept, and only when the message says the close ends it.
    if (ec == asio::ssl::error::stream_truncated && parser.is_header_done() && parser.need_eof()) {
        ec = {};
        parser.put_eof(ec);
    }
    co_return ec;
}

// A transport error that means the peer went away (reset, close, truncation).
inline bool is_connection_loss(const boost::system::error_code& ec) {
    namespace asio = boost::asio;
    namespace http = boost::beast::http;
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated ||
           ec == http::error::partial_message || ec == http::error::end_of_stream || ec == asio::error::not_connected ||
           ec == asio::error::bad_descriptor || ec == asio::error::operation_aborted ||
           ec.category() == asio::error::get_ssl_category();
}

// The error a failed read stands for; where is "host:port", received_any whether a byte came.
inline NetError read_error(const boost::system::error_code& ec, const std::string& where, bool received_any,
                           std::uint64_t body_limit) {
    namespace http = boost::beast::http;
    if (ec == http::error::body_limit) {
        return {NetErrorKind::bad_response,
                "response from " + where + " is larger than " + std::to_string(body_limit) + " bytes",
                {}};
    }
    if (ec == http::error::header_limit) {
        return {NetErrorKind::bad_response, "response headers from " + where + " are too large", {}};
    }
    if (is_connection_loss(ec)) {
        return {NetErrorKind::unreachable,
                where +
                    (received_any ? " closed the connection mid-response" : " closed the connection before answering") +
                    " (" + ec.message() + ")",
                {}};
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
        return {NetErrorKind::bad_response, "malformed HTTP response from " + where + ": " + ec.message(), {}};
    }
    return {NetErrorKind::unreachable, "connection to " + where + " failed: " + ec.message(), {}};
}

// The parts of a read response the client keeps; reusable tells whether the connection may
// carry another request: only when the message ended by length, the server keeps it open and
// nothing unexpected is left in the buffer.
inline RawResponse take_response(ResponseParser& parser, std::size_t bytes_left, bool& reusable) {
    namespace http = boost::beast::http;
    auto msg = parser.release();
    RawResponse r;
    r.response.status = msg.result_int();
    r.response.content_type = std::string(msg[http::field::content_type]);
    r.location = std::string(msg[http::field::location]);
    r.retry_after = std::string(msg[http::field::retry_after]);
    r.ratelimit_reset = std::string(msg["RateLimit-Reset"]);
    r.x_ratelimit_reset = std::string(msg["X-RateLimit-Reset"]);
    r.response.body = std::move(msg.body());
    reusable = msg.keep_alive() && !msg.need_eof() && bytes_left == 0;
    return r;
}

}  // namespace tjc::net
