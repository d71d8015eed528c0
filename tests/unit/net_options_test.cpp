// HttpClientOptions from the plugin config: every net-related key lands in its option.
#include "config/config.hpp"
#include "instance/runtime.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_CASE("http_client_options maps timeouts, http, tls and proxy") {
    const auto loaded = tjc::config::load_config_text(R"(
timeouts:
  connect_ms: 700
  tls_handshake_ms: 800
  request_ms: 2500
http:
  max_connections_per_host: 2
  max_response_bytes: 65536
  max_retries: 1
proxy:
  url: "http://proxy.internal:3128"
)");
    REQUIRE(loaded.config);
    const auto o = tjc::http_client_options(*loaded.config);
    CHECK(o.connect_timeout == 700ms);
    CHECK(o.handshake_timeout == 800ms);
    CHECK(o.request_timeout == 2500ms);
    CHECK(o.max_connections_per_host == 2);
    CHECK(o.max_response_bytes == 65536);
    CHECK(o.max_retries == 1);
    CHECK(o.proxy_url == "http://proxy.internal:3128");
    CHECK(o.ca_file.empty());
    CHECK(o.use_system_trust);
    CHECK(o.user_agent == "tooljump-circleci/0.1.0");
}

TEST_CASE("http_client_options keeps the documented defaults") {
    const auto loaded = tjc::config::load_config_text("");
    REQUIRE(loaded.config);
    const auto o = tjc::http_client_options(*loaded.config);
    CHECK(o.connect_timeout == 1500ms);
    CHECK(o.handshake_timeout == 1500ms);
    CHECK(o.request_timeout == 3000ms);
    CHECK(o.max_connections_per_host == 16);
    CHECK(o.max_response_bytes == 4u << 20);
    CHECK(o.max_retries == 2);
    CHECK(o.proxy_url.empty());
}
