// `tj-host serve`: a ToolJump server (docs/tooljump-contract.md section 5) for native plugins.
#pragma once

#include "serve_options.hpp"

namespace tjhost {

// Runs the server until SIGTERM/SIGINT. Returns the exit code: 0 after a clean shutdown, 1
// when a plugin cannot be loaded or the address cannot be used, 2 when a plugin rejects its
// config.
int serve_main(const ServeOptions& opts);

}  // namespace tjhost
