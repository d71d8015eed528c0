#include "cli.hpp"

#include <tooljump/plugin.h>

#include <CLI/CLI.hpp>

#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#ifndef TJ_HOST_VERSION
#define TJ_HOST_VERSION "unknown"
#endif

namespace tjhost::cli {

namespace {

constexpr const char* kFooter =
    "Secrets: for each secret the plugin declares, INTEGRATION_<NAME>, INTEGRATION_<NAME>_FILE or\n"
    "$CREDENTIALS_DIRECTORY/<NAME> (systemd credentials).\n"
    "Plugins by name: <dir>/<name>/manifest.yaml in TOOLJUMP_PLUGIN_PATH, then <prefix>/lib/tooljump/plugins.\n"
    "Exit codes: 0 ok, 1 plugin failure, 2 bad input, 3 nothing maps (resolve).";

// A validator whose range is said in the option's own text instead.
CLI::Validator quiet(CLI::Validator v) {
    v.description("");
    return v;
}

enum class ConfigFlag { none, accepted };  // --config: describe has none

void add_plugin_options(CLI::App& sub, Command& c, ConfigFlag config_flag) {
    sub.add_option("--plugin", c.plugin, "plugin library (a path) or an installed plugin's name, e.g. circleci")
        ->type_name("SO|NAME")
        ->required();
    sub.add_option("--manifest", c.manifest, "the plugin's manifest.yaml (default: beside the library)")
        ->type_name("FILE");
    if (config_flag == ConfigFlag::accepted) {
        sub.add_option("--config", c.config, "the plugin's YAML config (default: its built-in defaults)")
            ->type_name("YAML");
    }
}

void add_context_options(CLI::App& sub, Command& c) {
    auto* context = sub.add_option("--context", c.context.context, "the ToolJump context: JSON text, or @FILE")
                        ->type_name("JSON|@FILE");
    auto* repo =
        sub.add_option("--repo", c.context.repo,
                       "a repository (URL, git@host:org/repo, github:org/repo or org/repo): builds a github context")
            ->type_name("URL");
    context->excludes(repo);
    sub.add_option("--service", c.context.service, "with --repo: a service tag")->type_name("TAG")->needs(repo);
    auto* branch =
        sub.add_option("--branch", c.context.branch, "with --repo: the branch page")->type_name("NAME")->needs(repo);
    sub.add_option("--commit", c.context.commit, "with --repo: the commit page")
        ->type_name("SHA")
        ->needs(repo)
        ->excludes(branch);
}

void add_serve_options(CLI::App& sub, ServeOptions& o, std::string& listen, std::string& rate_limit,
                       std::vector<std::string>& custom_domains) {
    sub.add_option("--plugin", o.plugins, "a plugin (path or installed name); repeat for several")
        ->type_name("SO|NAME")
        ->required()
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub.add_option("--config", o.configs, "one config for every plugin, or one per --plugin in order")
        ->type_name("YAML")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub.add_option("--listen", listen, "where to listen (port 0: a free one)")->type_name("HOST:PORT")->required();
    auto* cert = sub.add_option("--tls-cert", o.tls_cert, "PEM certificate (chain): serve HTTPS")->type_name("FILE");
    auto* key = sub.add_option("--tls-key", o.tls_key, "PEM private key of --tls-cert")->type_name("FILE");
    cert->needs(key);
    key->needs(cert);
    sub.add_option_function<std::uint32_t>(
           "--timeout-ms", [&o](std::uint32_t v) { o.timeout = std::chrono::milliseconds(v); },
           "each integration's deadline, 1..600000 (default 5000, ToolJump's)")
        ->type_name("MS")
        ->check(quiet(CLI::Range(1u, 600000u)));
    sub.add_option("--rate-limit", rate_limit, "requests per client per window (default 200/900; 0/1: off)")
        ->type_name("N/SECONDS");
    sub.add_option("--cors-origin", o.cors_origins, "allowed browser origin; replaces the defaults; repeat for several")
        ->type_name("ORIGIN")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub.add_option_function<std::uint32_t>(
           "--read-timeout-ms", [&o](std::uint32_t v) { o.read_timeout = std::chrono::milliseconds(v); },
           "time to read a request, and the keep-alive idle time, 1..600000 (default 10000)")
        ->type_name("MS")
        ->check(quiet(CLI::Range(1u, 600000u)));
    sub.add_option_function<std::uint32_t>(
           "--drain-timeout-ms", [&o](std::uint32_t v) { o.drain_timeout = std::chrono::milliseconds(v); },
           "how long SIGTERM waits for the requests in flight, 0..600000 (default 10000)")
        ->type_name("MS")
        ->check(quiet(CLI::Range(0u, 600000u)));
    sub.add_option("--max-connections", o.max_connections, "open connections at most, 1..1000000 (default 512)")
        ->type_name("N")
        ->check(quiet(CLI::Range(std::size_t{1}, std::size_t{1000000})));
    sub.add_option("--custom-domain", custom_domains,
                   "a dashboard host where the extension may run (in /config and CORS); repeat for several")
        ->type_name("HOST")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub.add_option("--redis", o.redis,
                   "share the result cache, single flight and webhook events with other replicas through Redis")
        ->type_name("redis://HOST:PORT[/DB]");
    sub.add_option_function<std::uint32_t>(
           "--redis-timeout-ms", [&o](std::uint32_t v) { o.redis_timeout = std::chrono::milliseconds(v); },
           "each Redis call's deadline, 1..10000 (default 100)")
        ->type_name("MS")
        ->check(quiet(CLI::Range(1u, 10000u)));
    sub.footer(
        "TOOLJUMP_SERVER_TOKEN set: /context, /metrics and /preview need Authorization: Bearer <token>.\n"
        "TOOLJUMP_REDIS_PASSWORD (or that systemd credential): Redis' password, with --redis.\n"
        "Webhooks: POST /webhooks/circleci is on when\n"
        "the secret CIRCLECI_WEBHOOK_SECRET is set (INTEGRATION_CIRCLECI_WEBHOOK_SECRET, _FILE or a credential).\n"
        "SIGHUP: configs and secrets are read again; SIGTERM/SIGINT: drain, then exit 0.");
}

// The top level's own help (App::help() would show the help of the subcommand parsed).
std::string root_help(const CLI::App& app) {
    return app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
}

// The help of the most specific command the parse reached ("tj-host serve ...").
std::string usage_of_reached(const CLI::App& app) {
    const CLI::App* at = nullptr;
    for (const auto* sub : app.get_subcommands()) {
        at = sub;
    }
    return at ? at->help(app.get_name()) : root_help(app);
}

}  // namespace

std::string version_line() {
    return "tj-host " TJ_HOST_VERSION " (plugin ABI " + std::to_string(TJ_ABI_VERSION_MAJOR) + "." +
           std::to_string(TJ_ABI_VERSION_MINOR) + ")";
}

Parsed parse(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    Command c;
    std::string listen, rate_limit, help_topic;
    std::vector<std::string> custom_domains;
    CLI::App app{"tj-host: the reference ToolJump host for native plugins.", "tj-host"};
    app.set_version_flag("--version", version_line());
    app.require_subcommand(1, 1);
    app.footer(kFooter);

    auto* describe = app.add_subcommand("describe", "print the plugin's description, checked against its manifest");
    add_plugin_options(*describe, c, ConfigFlag::none);

    auto* resolve = app.add_subcommand("resolve", "map a context to CircleCI projects, without network (exit 3: none)");
    add_plugin_options(*resolve, c, ConfigFlag::accepted);
    add_context_options(*resolve, c);

    auto* query = app.add_subcommand("query", "run a context through the plugin and print its cards");
    add_plugin_options(*query, c, ConfigFlag::accepted);
    add_context_options(*query, c);
    query->add_option("--format", c.format, "json (ToolJump's results) or text (a table)")
        ->type_name("json|text")
        ->check(CLI::IsMember({"json", "text"}));
    query->add_option("--timeout-ms", c.timeout_ms, "the query's deadline, 1..600000 (default: the plugin's)")
        ->type_name("MS")
        ->check(quiet(CLI::Range(1u, 600000u)));

    auto* serve = app.add_subcommand(
        "serve",
        "run a ToolJump server (POST /context, /config, /custom-domains, /health, /metrics, /preview, webhooks)");
    add_serve_options(*serve, c.serve, listen, rate_limit, custom_domains);

    auto* help = app.add_subcommand("help", "show the help of a command");
    help->add_option("command", help_topic, "describe, resolve, query or serve");

    try {
        // CLI11 would say "a subcommand is required" of a misspelt one: name it instead.
        if (argc >= 2 && argv[1][0] != '-') {
            try {
                (void)app.get_subcommand(argv[1]);
            } catch (const CLI::OptionNotFound&) {
                throw CLI::ValidationError(std::string("unknown command '") + argv[1] + "'");
            }
        }
        app.parse(argc, argv);
        if (help->parsed()) {
            if (help_topic.empty()) {
                out << root_help(app);
                return {std::nullopt, 0};
            }
            const CLI::App* topic = nullptr;
            try {
                topic = app.get_subcommand(help_topic);
            } catch (const CLI::OptionNotFound&) {
                throw CLI::ValidationError("help: no command '" + help_topic + "'");
            }
            out << topic->help(app.get_name());
            return {std::nullopt, 0};
        }
        if (describe->parsed()) {
            c.kind = Command::Kind::describe;
        } else if (resolve->parsed() || query->parsed()) {
            c.kind = resolve->parsed() ? Command::Kind::resolve : Command::Kind::query;
            if (c.context.context.empty() && c.context.repo.empty()) {
                throw CLI::ValidationError(std::string("a context is required: --context JSON|@FILE or --repo URL"));
            }
        } else {
            c.kind = Command::Kind::serve;
            try {
                parse_listen(listen, c.serve);
                if (!rate_limit.empty()) {
                    parse_rate_limit(rate_limit, c.serve);
                }
                for (const auto& d : custom_domains) {
                    add_custom_domain(d, c.serve);
                }
                check_serve_options(c.serve);
            } catch (const std::invalid_argument& e) {
                throw CLI::ValidationError(std::string(e.what()));
            }
        }
        return {std::move(c), 0};
    } catch (const CLI::CallForHelp&) {
        // `tj-host help` alone asks for the whole list of commands, not for help's own help.
        out << (help->parsed() && help_topic.empty() ? root_help(app) : usage_of_reached(app));
        return {std::nullopt, 0};
    } catch (const CLI::CallForAllHelp&) {
        out << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::All);
        return {std::nullopt, 0};
    } catch (const CLI::CallForVersion&) {
        out << version_line() << "\n";
        return {std::nullopt, 0};
    } catch (const CLI::ParseError& e) {
        err << "tj-host: " << e.what() << "\n\n" << usage_of_reached(app);
        return {std::nullopt, static_cast<int>(Exit::bad_input)};
    }
}

}  // namespace tjhost::cli
