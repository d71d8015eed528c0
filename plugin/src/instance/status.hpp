// Outcome codes of instance calls; abi/ maps them 1:1 onto tj_status.
#pragma once

#include <cstdint>

namespace tjc {

enum class Status : std::int32_t {
    ok = 0,
    invalid_argument = 1,
    bad_config = 2,
    no_match = 3,
    cancelled = 4,
    timeout = 5,
    busy = 6,
    unsupported = 7,
    not_initialized = 8,
    unknown_ticket = 9,
    internal = 10,
};

}  // namespace tjc
