// CircleCI API v2 (the read-only slice the plugin uses) answered from a World.
// Pure: no sockets, so the routing rules are testable on their own.
#pragma once

#include "world.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tjc::testing {

struct ApiRequest {
    std::string_view method = "GET";
    std::string_view target;                // origin form: "/api/v2/me?x=y"
    std::optional<std::string_view> token;  // the Circle-Token header, if sent
};

struct ApiResponse {
    int status = 200;
    std::string body;  // always JSON: the resource or {"message": "..."}
};

struct RouterOptions {
    std::string token = "test-token";
    std::size_t page_size = 20;
    // How project slugs compare: exactly (false), or without case (true), as GitHub compares
    // names. CircleCI does not document which it does; the plugin must be right either way.
    bool slugs_ignore_case = false;
    std::size_t pipeline_page_size = 0;  // GET /project/{slug}/pipeline only; 0 = page_size
    // Clones (for benchmarks that need many distinct projects): "gh/acme/deploys" here makes
    // every gh/acme/deploys--clone-<n> a project of its own, served from the original with its
    // ids prefixed "c<n>~" and its name changed wherever it appears. "" = none.
    std::string clone_of;
};

ApiResponse route_request(const World& world, const RouterOptions& options, const ApiRequest& request);

// The path of a request target, raw and with percent-escapes decoded ("" if unparsable);
// faults and counters match their prefixes against both.
struct TargetPaths {
    std::string raw;
    std::string decoded;
};
TargetPaths target_paths(std::string_view target);

}  // namespace tjc::testing
