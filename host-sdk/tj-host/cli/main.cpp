// tj-host: the reference host. Loads a native ToolJump plugin, validates it against its
// manifest, applies the manifest's match rules, hands it declared secrets only, and runs
// describe | resolve | query | serve (cli.hpp: flags and exit codes).
#include "cli.hpp"
#include "commands.hpp"
#include "serve_command.hpp"

#include <iostream>

int main(int argc, char** argv) {
    using namespace tjhost::cli;
    const auto parsed = parse(argc, argv, std::cout, std::cerr);
    if (!parsed.command) {
        return parsed.exit_code;
    }
    const auto& c = *parsed.command;
    try {
        switch (c.kind) {
            case Command::Kind::describe: return run_describe(c);
            case Command::Kind::resolve: return run_resolve(c);
            case Command::Kind::query: return run_query(c);
            case Command::Kind::serve: return tjhost::serve_main(c.serve);
        }
    } catch (const BadInput& e) {
        std::cerr << "tj-host: " << e.what() << "\n";
        return static_cast<int>(Exit::bad_input);
    } catch (const std::exception& e) {
        std::cerr << "tj-host: " << e.what() << "\n";
        return static_cast<int>(Exit::plugin_failure);
    }
    return static_cast<int>(Exit::plugin_failure);
}
