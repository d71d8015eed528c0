// From a resolved context to the results JSON. Runs on the io thread.
#pragma once

#include "config/config.hpp"
#include "mapping/resolve.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace tjc {

struct QueryPlan {
    std::shared_ptr<const config::Config> config;  // the config the query started under
    mapping::Resolution resolution;
    std::uint32_t timeout_ms = 0;
};

// The results JSON array. Nothing mapped: "[]" (ToolJump shows nothing for the repo).
std::string run_query(const QueryPlan& plan);

}  // namespace tjc
