// Reading a response as HttpsConnection does (net/response_reader.hpp), over a test stream:
// the parts that do not need a socket — limits, the TLS-truncation rule, the keep-alive
// decision and the error each failure stands for.
#include "net/response_reader.hpp"
#include "response_replay.hpp"

#include <doctest/doctest.h>

#include <string>

using tjc::testing::Replay;
using tjc::testing::replay_response;

namespace {

constexpr std::uint64_t kLimit = 4u << 20;

std::string response(const std::string& head, const std::string& body) { return head + "\r\n" + body; }

}  // namespace

TEST_CASE("a response with a length keeps the connection, and the headers the client acts on") {
    const std::string bytes = response(
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: 13\r\n"
        "Retry-After: 7\r\nRateLimit-Reset: 8\r\nX-RateLimit-Reset: 9\r\nLocation: /x\r\n",
        R"({"message":1})");
    for (std::size_t read_size : {std::size_t(1), std::size_t(7), std::size_t(1) << 20}) {
        CAPTURE(read_size);
        Replay r;
        replay_response(r, bytes, kLimit, read_size);
        REQUIRE(r.finished);
        REQUIRE_FALSE(r.ec);
        bool reusable = false;
        const auto raw = tjc::net::take_response(r.parser, r.buffer.size(), reusable);
        CHECK(raw.response.status == 429);
        CHECK(raw.response.content_type == "application/json");
        CHECK(raw.response.body == R"({"message":1})");
        CHECK(raw.retry_after == "7");
        CHECK(raw.ratelimit_reset == "8");
        CHECK(raw.x_ratelimit_reset == "9");
        CHECK(raw.location == "/x");
        CHECK(reusable);
    }
}

TEST_CASE("bytes left after a response make the connection unusable") {
    Replay r;
    replay_response(r, response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", "{}") + "HTTP/1.1 200 OK\r\n", kLimit);
    REQUIRE_FALSE(r.ec);
    bool reusable = true;
    (void)tjc::net::take_response(r.parser, r.buffer.size(), reusable);
    CHECK_FALSE(reusable);
}

TEST_CASE("a body ended by the close: accepted from a TLS peer without close_notify, never reused") {
    const std::string bytes = response("HTTP/1.1 200 OK\r\nConnection: close\r\n", R"({"items":[]})");
    Replay r;
    replay_response(r, bytes, kLimit, 5, /*tls_truncation=*/true);
    REQUIRE_FALSE(r.ec);
    bool reusable = true;
    const auto raw = tjc::net::take_response(r.parser, r.buffer.size(), reusable);
    CHECK(raw.response.body == R"({"items":[]})");
    CHECK_FALSE(reusable);
}

TEST_CASE("a truncated body with a length is a lost connection, mid-response") {
    Replay r;
    replay_response(r, response("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n", "{\"items\""), kLimit, 64, true);
    REQUIRE(r.ec);
    const auto e = tjc::net::read_error(r.ec, "circleci.com:443", r.received_any(), kLimit);
    CHECK(e.kind == tjc::net::NetErrorKind::unreachable);
    CHECK(e.message.find("closed the connection mid-response") != std::string::npos);
}

TEST_CASE("nothing at all is a close before answering") {
    Replay r;
    replay_response(r, "", kLimit);
    REQUIRE(r.ec);
    const auto e = tjc::net::read_error(r.ec, "circleci.com:443", r.received_any(), kLimit);
    CHECK(e.kind == tjc::net::NetErrorKind::unreachable);
    CHECK(e.message.find("before answering") != std::string::npos);
}

TEST_CASE("limits: a body over the cap and headers over 64 KiB are bad responses") {
    Replay big;
    replay_response(big, response("HTTP/1.1 200 OK\r\nContent-Length: 300\r\n", std::string(300, 'x')), 256);
    REQUIRE(big.ec);
    auto e = tjc::net::read_error(big.ec, "circleci.com:443", big.received_any(), 256);
    CHECK(e.kind == tjc::net::NetErrorKind::bad_response);
    CHECK(e.message == "response from circleci.com:443 is larger than 256 bytes");

    Replay chunked;  // the cap holds for chunked bodies too
    replay_response(
        chunked,
        response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n",
                 "100\r\n" + std::string(256, 'x') + "\r\n100\r\n" + std::string(256, 'x') + "\r\n0\r\n\r\n"),
        300);
    CHECK(chunked.ec == boost::beast::http::error::body_limit);

    Replay headers;
    replay_response(headers, response("HTTP/1.1 200 OK\r\nX-Pad: " + std::string(70 * 1024, 'p') + "\r\n", ""), kLimit);
    REQUIRE(headers.ec);
    e = tjc::net::read_error(headers.ec, "circleci.com:443", headers.received_any(), kLimit);
    CHECK(e.kind == tjc::net::NetErrorKind::bad_response);
    CHECK(e.message.find("headers") != std::string::npos);
}

TEST_CASE("garbage is a malformed response") {
    Replay r;
    replay_response(r, "SSH-2.0-OpenSSH_9.2\r\n\r\n", kLimit);
    REQUIRE(r.ec);
    const auto e = tjc::net::read_error(r.ec, "circleci.com:443", r.received_any(), kLimit);
    CHECK(e.kind == tjc::net::NetErrorKind::bad_response);
    CHECK(e.message.find("malformed HTTP response from circleci.com:443") == 0);
}
