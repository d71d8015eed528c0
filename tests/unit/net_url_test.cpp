// URL building and the redirect policy: pure, no sockets.
#include "net/redirect_policy.hpp"
#include "net/url.hpp"

#include <doctest/doctest.h>

using namespace tjc::net;

TEST_CASE("parse_endpoint reads scheme, host, port and base path") {
    auto e = parse_endpoint("https://CircleCI.com/api/v2/");
    REQUIRE(e.has_value());
    CHECK(e->scheme == "https");
    CHECK(e->host == "circleci.com");
    CHECK(e->port == 443);
    CHECK(e->base_path == "/api/v2");
    CHECK(e->authority() == "circleci.com:443");

    auto local = parse_endpoint("https://127.0.0.1:8443/api/v2");
    REQUIRE(local.has_value());
    CHECK(local->host == "127.0.0.1");
    CHECK(local->port == 8443);

    auto v6 = parse_endpoint("https://[::1]:9000");
    REQUIRE(v6.has_value());
    CHECK(v6->host == "::1");
    CHECK(v6->base_path == "");
    CHECK(v6->authority() == "[::1]:9000");
}

TEST_CASE("parse_endpoint refuses what must not carry a token") {
    CHECK_FALSE(parse_endpoint("http://circleci.com/api/v2").has_value());
    CHECK_FALSE(parse_endpoint("https://user:pw@circleci.com/api/v2").has_value());
    CHECK_FALSE(parse_endpoint("https://circleci.com/api/v2?circle-token=x").has_value());
    CHECK_FALSE(parse_endpoint("circleci.com/api/v2").has_value());
    CHECK_FALSE(parse_endpoint("").has_value());
}

TEST_CASE("encode_segment escapes everything but unreserved characters") {
    CHECK(encode_segment("build-and-test_1.0~x") == "build-and-test_1.0~x");
    CHECK(encode_segment("deploy prod/eu") == "deploy%20prod%2Feu");
    CHECK(encode_segment("a?b#c&d=e%") == "a%3Fb%23c%26d%3De%25");
    CHECK(encode_segment("ü") == "%C3%BC");
}

TEST_CASE("encode_slug keeps three segments and escapes each") {
    auto s = encode_slug("gh/acme/passing");
    REQUIRE(s.has_value());
    CHECK(s.value() == "gh/acme/passing");
    auto opaque = encode_slug("circleci/43G3kM5RtfFE7v5sa4nWAU/44n9pujWcTnVZ2b5S8Fnat");
    REQUIRE(opaque.has_value());
    CHECK(opaque.value() == "circleci/43G3kM5RtfFE7v5sa4nWAU/44n9pujWcTnVZ2b5S8Fnat");
    auto odd = encode_slug("gh/my org/re?po");
    REQUIRE(odd.has_value());
    CHECK(odd.value() == "gh/my%20org/re%3Fpo");
}

TEST_CASE("encode_slug refuses traversal and wrong shapes") {
    CHECK_FALSE(encode_slug("gh/acme").has_value());
    CHECK_FALSE(encode_slug("gh/acme/repo/extra").has_value());
    CHECK_FALSE(encode_slug("gh/../admin").has_value());
    CHECK_FALSE(encode_slug("gh/./x").has_value());
    CHECK_FALSE(encode_slug("gh//x").has_value());
    CHECK_FALSE(encode_slug("").has_value());
}

TEST_CASE("build_target joins base path, path and encoded query") {
    CHECK(build_target("/api/v2", "/me") == "/api/v2/me");
    CHECK(build_target("", "/me") == "/me");
    const auto t = build_target("/api/v2", "/project/gh/acme/passing/pipeline",
                                {{"branch", "feature/a b&c"}, {"page-token", "ab+c/d=="}});
    CHECK(t == "/api/v2/project/gh/acme/passing/pipeline?branch=feature%2Fa%20b%26c&page-token=ab%2Bc%2Fd%3D%3D");
}

TEST_CASE("redirects are followed to the same origin only") {
    const Endpoint api{"https", "circleci.com", 443, "/api/v2"};

    auto rel = redirect_target(api, "/api/v2/project/gh/a/b", "/api/v2/project/gh/a/c?x=1");
    REQUIRE(rel.has_value());
    CHECK(rel.value() == "/api/v2/project/gh/a/c?x=1");

    auto relative_path = redirect_target(api, "/api/v2/project/gh/a/b", "c");
    REQUIRE(relative_path.has_value());
    CHECK(relative_path.value() == "/api/v2/project/gh/a/c");

    auto abs_same = redirect_target(api, "/api/v2/me", "https://CIRCLECI.com:443/api/v2/me2");
    REQUIRE(abs_same.has_value());
    CHECK(abs_same.value() == "/api/v2/me2");

    auto other_host = redirect_target(api, "/api/v2/me", "https://evil.example/steal?token=abc");
    REQUIRE_FALSE(other_host.has_value());
    CHECK(other_host.error().find("evil.example") != std::string::npos);
    CHECK(other_host.error().find("token=abc") == std::string::npos);  // only the origin is named

    CHECK_FALSE(redirect_target(api, "/api/v2/me", "http://circleci.com/api/v2/me").has_value());
    CHECK_FALSE(redirect_target(api, "/api/v2/me", "https://circleci.com:8443/api/v2/me").has_value());
    CHECK_FALSE(redirect_target(api, "/api/v2/me", "//evil.example/x").has_value());
    CHECK_FALSE(redirect_target(api, "/api/v2/me", "").has_value());
    CHECK_FALSE(redirect_target(api, "/api/v2/me", "https://user:pw@circleci.com/api/v2/me").has_value());
}

TEST_CASE("redirect statuses") {
    for (unsigned s : {301u, 302u, 303u, 307u, 308u}) {
        CHECK(is_redirect_status(s));
    }
    for (unsigned s : {200u, 300u, 304u, 305u, 404u}) {
        CHECK_FALSE(is_redirect_status(s));
    }
}
