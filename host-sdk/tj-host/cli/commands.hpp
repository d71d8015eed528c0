// tj-host describe | resolve | query: each runs one parsed Command and returns its exit code
// (cli.hpp). Mistakes in the input throw BadInput (exit 2); a plugin that cannot be found,
// loaded or run throws std::runtime_error (exit 1).
#pragma once

#include "cli.hpp"

#include <stdexcept>

namespace tjhost::cli {

struct BadInput : std::runtime_error {
    using std::runtime_error::runtime_error;
};

int run_describe(const Command& c);
int run_resolve(const Command& c);
int run_query(const Command& c);

}  // namespace tjhost::cli
