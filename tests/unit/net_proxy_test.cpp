// Proxy choice and NO_PROXY matching: pure, no sockets.
#include "net/proxy.hpp"

#include <doctest/doctest.h>

using namespace tjc::net;

TEST_CASE("NO_PROXY matches hosts, subdomains, ports and *") {
    CHECK(no_proxy_matches("*", "circleci.com", 443));
    CHECK(no_proxy_matches("circleci.com", "circleci.com", 443));
    CHECK(no_proxy_matches("circleci.com", "api.circleci.com", 443));
    CHECK(no_proxy_matches(".circleci.com", "api.circleci.com", 443));
    CHECK(no_proxy_matches("*.circleci.com", "api.circleci.com", 443));
    CHECK(no_proxy_matches("CircleCI.com", "circleci.COM", 443));
    CHECK_FALSE(no_proxy_matches("circleci.com", "notcircleci.com", 443));
    CHECK_FALSE(no_proxy_matches("api.circleci.com", "circleci.com", 443));
    CHECK(no_proxy_matches("example.org, circleci.com", "circleci.com", 443));
    CHECK(no_proxy_matches("example.org circleci.com", "circleci.com", 443));
    CHECK(no_proxy_matches("circleci.com:443", "circleci.com", 443));
    CHECK_FALSE(no_proxy_matches("circleci.com:8443", "circleci.com", 443));
    CHECK(no_proxy_matches("10.0.0.5", "10.0.0.5", 443));
    CHECK_FALSE(no_proxy_matches("10.0.0.5", "10.0.0.50", 443));
    CHECK(no_proxy_matches("[::1]:443", "::1", 443));
    CHECK(no_proxy_matches("fd00::1", "fd00::1", 443));
    CHECK_FALSE(no_proxy_matches("", "circleci.com", 443));
    CHECK_FALSE(no_proxy_matches(",, ,", "circleci.com", 443));
}

TEST_CASE("loopback hosts") {
    CHECK(is_loopback_host("localhost"));
    CHECK(is_loopback_host("127.0.0.1"));
    CHECK(is_loopback_host("127.1.2.3"));
    CHECK(is_loopback_host("::1"));
    CHECK_FALSE(is_loopback_host("128.0.0.1"));
    CHECK_FALSE(is_loopback_host("circleci.com"));
}

TEST_CASE("choose_proxy: config wins, env next, NO_PROXY and loopback bypass") {
    const ProxyEnv env{"http://envproxy:3128", "internal.example"};

    auto none = choose_proxy("", ProxyEnv{}, "circleci.com", 443);
    REQUIRE(none.has_value());
    CHECK_FALSE(none.value().has_value());

    auto from_env = choose_proxy("", env, "circleci.com", 443);
    REQUIRE(from_env.has_value());
    REQUIRE(from_env.value().has_value());
    CHECK(from_env.value()->host == "envproxy");
    CHECK(from_env.value()->port == 3128);

    auto from_config = choose_proxy("http://user:p%40ss@cfgproxy:8000", env, "circleci.com", 443);
    REQUIRE(from_config.has_value());
    REQUIRE(from_config.value().has_value());
    CHECK(from_config.value()->host == "cfgproxy");
    CHECK(from_config.value()->port == 8000);
    CHECK(from_config.value()->user_pass == "user:p@ss");

    auto bare = choose_proxy("squid:3129", ProxyEnv{}, "circleci.com", 443);
    REQUIRE(bare.has_value());
    REQUIRE(bare.value().has_value());
    CHECK(bare.value()->host == "squid");
    CHECK(bare.value()->port == 3129);

    auto bypass = choose_proxy("", env, "ci.internal.example", 443);
    REQUIRE(bypass.has_value());
    CHECK_FALSE(bypass.value().has_value());

    // The environment's proxy skips loopback; an explicitly configured one does not.
    auto env_loop = choose_proxy("", env, "127.0.0.1", 8443);
    REQUIRE(env_loop.has_value());
    CHECK_FALSE(env_loop.value().has_value());
    auto cfg_loop = choose_proxy("http://cfgproxy:8000", ProxyEnv{}, "127.0.0.1", 8443);
    REQUIRE(cfg_loop.has_value());
    CHECK(cfg_loop.value().has_value());
    auto cfg_no_proxy = choose_proxy("http://cfgproxy:8000", ProxyEnv{"", "127.0.0.1"}, "127.0.0.1", 8443);
    REQUIRE(cfg_no_proxy.has_value());
    CHECK_FALSE(cfg_no_proxy.value().has_value());

    CHECK_FALSE(choose_proxy("https://tlsproxy:443", ProxyEnv{}, "circleci.com", 443).has_value());
    CHECK_FALSE(choose_proxy("socks5://s:1080", ProxyEnv{}, "circleci.com", 443).has_value());
}
