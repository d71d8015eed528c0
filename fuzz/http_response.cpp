// Fuzzes the client's response path without sockets: bytes from a beast::test::stream go
// through net::read_response (the reader HttpsConnection uses: our header and body limits,
// the TLS-truncation rule), then what the client does with the result: read_error,
// take_response (keep-alive decision), the 429 wait, retry and redirect decisions, and the
// error text a CircleCI call would make of the body (JSON message, summary, redaction).
//
// Input: one control byte, then the response as the server would send it.
//   bits 0-2: bytes per read (1, 2, 3, 7, 64, 512, 4096, all); bit 3: the peer ends like a TLS
//   server without close_notify (stream_truncated) instead of EOF; bit 4: a 256-byte body limit.
#include "circleci/parse.hpp"
#include "net/redact.hpp"
#include "net/redirect_policy.hpp"
#include "net/retry_after.hpp"
#include "net/retry_policy.hpp"

#include "response_replay.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

constexpr std::size_t kReadSizes[] = {1, 2, 3, 7, 64, 512, 4096, std::size_t(1) << 30};
constexpr std::string_view kToken = "fuzz-token-0123456789";

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

void interpret(const tjc::net::RawResponse& raw) {
    using namespace tjc::net;
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
    const unsigned status = raw.response.status;
    if (status == 429) {
        if (auto wait = throttle_wait(raw.retry_after, raw.ratelimit_reset, raw.x_ratelimit_reset, now)) {
            check(wait->count() >= 0);
        }
    }
    (void)is_retryable_status(status);
    if (is_redirect_status(status)) {
        const Endpoint server{"https", "circleci.com", 443, "/api/v2"};
        auto next = redirect_target(server, "/api/v2/project/gh/acme/api/pipeline?branch=main", raw.location);
        if (next.has_value()) {
            check(!next.value().empty() && next.value().front() == '/');
        }
    }
    // What circleci::api_error_from says about a non-2xx answer.
    std::string says;
    if (is_json_content_type(raw.response.content_type)) {
        if (auto m = tjc::circleci::parse_error_message(raw.response.body)) {
            says = summarize_body(*m);
        }
    }
    if (says.empty()) {
        says = summarize_body(raw.response.body);
    }
    check(says.size() <= 120 + 3 || says == "(empty body)");
    // A server that echoes the token: take a token-like secret (12 alphanumerics, longer than
    // the mark, so no artifact of the mark can spell it) from the body when it starts with one.
    const std::string_view body = raw.response.body;
    std::string_view secret = kToken;
    if (body.size() >= 12 &&
        std::all_of(body.begin(), body.begin() + 12, [](unsigned char c) { return std::isalnum(c); }))
        secret = body.substr(0, 12);
    const std::string message = redact("GET /api/v2/me: CircleCI answered 500: " + says, secret);
    check(message.find(secret) == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::uint8_t control = data[0];
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t read_size = kReadSizes[control & 7];
    const bool tls_truncation = (control & 8) != 0;
    const std::uint64_t body_limit = (control & 16) ? 256 : 4u << 20;

    tjc::testing::Replay replay;
    tjc::testing::replay_response(replay, bytes, body_limit, read_size, tls_truncation);
    check(replay.finished);  // the reader always ends once the peer has closed

    if (replay.ec) {
        const auto error = tjc::net::read_error(replay.ec, "circleci.com:443", replay.received_any(), body_limit);
        check(!error.message.empty());
        return 0;
    }
    check(replay.parser.is_done());
    bool reusable = false;
    auto raw = tjc::net::take_response(replay.parser, replay.buffer.size(), reusable);
    check(raw.response.body.size() <= body_limit);
    interpret(raw);
    return 0;
}
