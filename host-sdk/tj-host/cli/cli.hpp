// tj-host's command line, parsed by CLI11 (Debian's libcli11-dev): the subcommands describe,
// resolve, query, serve and help; --help/-h on each and --version. One parser, one set of exit
// codes, for every subcommand.
#pragma once

#include "serve_options.hpp"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace tjhost::cli {

// tj-host's exit codes, the same for every subcommand.
enum class Exit : int {
    ok = 0,              // done (an error card is a result)
    plugin_failure = 1,  // the plugin could not be found, loaded or run; the address is taken
    bad_input = 2,       // the command line, the context, the config or the manifest is wrong
    no_match = 3,        // resolve: nothing maps
};

// --context JSON|@file, or --repo URL with --service, --branch, --commit.
struct ContextArgs {
    std::string context;
    std::string repo;
    std::string service;
    std::string branch;
    std::string commit;
};

struct Command {
    enum class Kind { describe, resolve, query, serve };
    Kind kind = Kind::describe;
    std::string plugin;    // a path or an installed plugin's name
    std::string manifest;  // "" = beside the library
    std::string config;    // "" = the plugin's defaults
    ContextArgs context;
    std::string format = "json";   // query: json | text
    std::uint32_t timeout_ms = 0;  // query: 0 = the plugin's own
    ServeOptions serve;
};

// What parsing decided: a command to run, or an exit code once help, the version or a
// mistake was printed (help and version to `out`, mistakes with the usage to `err`).
struct Parsed {
    std::optional<Command> command;
    int exit_code = 0;
};

Parsed parse(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// "tj-host 0.1.0 (plugin ABI 1.1)".
std::string version_line();

}  // namespace tjhost::cli
