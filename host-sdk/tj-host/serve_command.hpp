// `tj-host serve`: a ToolJump server (docs/tooljump-contract.md section 5) for native plugins.
#pragma once

namespace tjhost {

// argv as main's; argv[1] is "serve". Returns the exit code: 0 after a clean shutdown
// (SIGTERM/SIGINT), 1 when a plugin cannot be loaded or the address cannot be used, 2 on bad
// input.
int serve_main(int argc, char** argv);

}  // namespace tjhost
