// tj-host: the reference host. Loads a native ToolJump plugin, validates it against its
// manifest, applies the manifest's match rules, hands it declared secrets only, and runs
// describe | resolve | query. Exit codes: 0 ok, 1 plugin failure, 2 bad input,
// 3 nothing maps (resolve).
#include "context_args.hpp"
#include "loader.hpp"
#include "manifest.hpp"
#include "match.hpp"
#include "secrets.hpp"
#include "serve_command.hpp"
#include "serve_options.hpp"
#include "session.hpp"
#include "text_table.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>

namespace {

constexpr int kExitOk = 0;
constexpr int kExitPlugin = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitNoMatch = 3;

struct BadInput : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const char* kUsage =
    "usage:\n"
    "  tj-host describe --plugin SO [--manifest FILE]\n"
    "  tj-host resolve  --plugin SO [--config YAML] CONTEXT [--manifest FILE]\n"
    "  tj-host query    --plugin SO [--config YAML] CONTEXT [--format json|text] [--timeout-ms N]\n"
    "CONTEXT: --context JSON | --context @file | --repo URL [--service TAG] [--branch NAME] [--commit SHA]\n"
    "Secrets come from INTEGRATION_<NAME> variables, for the secrets the plugin declares only.\n"
    "Exit codes: 0 ok, 1 plugin failure, 2 bad input, 3 nothing maps (resolve).\n";

struct Args {
    std::string command;
    std::map<std::string, std::string> flags;

    [[nodiscard]] std::string get(const std::string& k) const {
        auto it = flags.find(k);
        return it == flags.end() ? std::string() : it->second;
    }
    [[nodiscard]] bool has(const std::string& k) const { return flags.contains(k); }
};

Args parse_args(int argc, char** argv) {
    static const std::set<std::string> known{"plugin", "manifest", "config", "context", "repo", "service",
                                             "branch", "commit", "format", "timeout-ms"};
    if (argc < 2) throw BadInput("missing subcommand");
    Args a;
    a.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (!arg.starts_with("--")) throw BadInput("unexpected argument '" + arg + "'");
        arg.erase(0, 2);
        std::string value;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg.resize(eq);
        } else {
            if (i + 1 >= argc) throw BadInput("--" + arg + " needs a value");
            value = argv[++i];
        }
        if (!known.contains(arg)) throw BadInput("unknown flag --" + arg);
        a.flags[arg] = value;
    }
    return a;
}

std::string manifest_path(const Args& a) {
    return a.has("manifest") ? a.get("manifest") : tjhost::default_manifest_path(a.get("plugin"));
}

boost::json::value context_of(const Args& a) {
    if (a.has("context") && a.has("repo")) throw BadInput("give --context or --repo, not both");
    // A malformed --context or --repo is the user's input: exit 2, not 1.
    try {
        if (a.has("context")) return tjhost::context_from_arg(a.get("context"));
        if (a.has("repo")) {
            return tjhost::context_from_repo({a.get("repo"), a.get("service"), a.get("branch"), a.get("commit")});
        }
    } catch (const std::runtime_error& e) {
        throw BadInput(e.what());
    }
    throw BadInput("a context is required: --context JSON|@file or --repo URL");
}

// The plugin's config rejected: bad input (exit 2).
struct Session : tjhost::Session {
    explicit Session(const Args& a) try : tjhost::Session(a.get("plugin"), a.get("manifest"), a.get("config")) {
    } catch (const tjhost::ConfigRejected& e) {
        throw BadInput(e.what());
    }
};

int cmd_describe(const Args& a) {
    tjhost::Plugin plugin(a.get("plugin"));
    auto d = tjhost::describe_static(plugin);
    if (std::filesystem::exists(manifest_path(a))) {
        const auto m = tjhost::load_manifest(manifest_path(a));
        if (auto diff = tjhost::compare_with_description(m, d); !diff.empty())
            throw std::runtime_error("plugin disagrees with " + m.path + ": " + diff);
    }
    auto& o = d.as_object();
    boost::json::object out{{"name", o["name"]}, {"version", o["version"]}, {"abi", o["abi"]},
                            {"match", o["match"]}, {"requiredSecrets", o["requiredSecrets"]}};
    std::cout << boost::json::serialize(out) << "\n";
    return kExitOk;
}

int cmd_resolve(const Args& a) {
    const auto context = context_of(a);
    Session s(a);
    std::string why;
    if (!tjhost::matches(s.manifest.match, context, &why)) {
        std::cerr << "the context does not match the plugin's manifest: " << why << "\n";
        std::cout << R"({"projects":[],"reason":"the context does not match the manifest"})" << "\n";
        return kExitNoMatch;
    }
    const auto text = boost::json::serialize(context);
    tj_plugin_owned_str out{};
    const auto st = s.plugin.api().resolve(s.instance, {text.data(), text.size()}, &out);
    const auto body = s.plugin.take(out);
    if (st == TJ_STATUS_INVALID_ARGUMENT) throw BadInput(body);
    if (st != TJ_STATUS_OK && st != TJ_STATUS_NO_MATCH) throw std::runtime_error("resolve failed: " + body);
    std::cout << body << "\n";
    return st == TJ_STATUS_OK ? kExitOk : kExitNoMatch;
}

int cmd_query(const Args& a) {
    const auto format = a.has("format") ? a.get("format") : "json";
    if (format != "json" && format != "text") throw BadInput("--format must be json or text");
    std::uint32_t timeout_ms = 0;
    if (a.has("timeout-ms")) {
        try {
            const auto v = std::stoul(a.get("timeout-ms"));
            if (v == 0 || v > 600000) throw std::out_of_range("");
            timeout_ms = static_cast<std::uint32_t>(v);
        } catch (const std::exception&) {
            throw BadInput("--timeout-ms must be 1..600000");
        }
    }
    const auto context = context_of(a);
    Session s(a);
    auto emit = [&](const boost::json::value& results) {
        if (format == "text") {
            std::cout << tjhost::render_text(results);
        } else {
            std::cout << boost::json::serialize(results) << "\n";
        }
    };
    if (!tjhost::matches(s.manifest.match, context)) {
        emit(boost::json::array{});
        return kExitOk;
    }
    struct Wait {
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
        tj_status status = TJ_STATUS_INTERNAL;
        std::string payload;
    } w;
    const auto text = boost::json::serialize(context);
    std::uint64_t ticket = 0;
    const auto st = s.plugin.api().submit(
        s.instance, {text.data(), text.size()}, timeout_ms,
        [](void* data, uint64_t, tj_status status, tj_str_view payload) {
            auto* w = static_cast<Wait*>(data);
            std::lock_guard lock(w->m);
            w->status = status;
            w->payload.assign(payload.ptr ? payload.ptr : "", payload.len);
            w->done = true;
            w->cv.notify_all();
        },
        &w, &ticket);
    if (st != TJ_STATUS_OK) throw std::runtime_error("submit() refused the query (status " + std::to_string(st) + ")");
    {
        // ToolJump gives an integration 5 s; the host enforces its own limit too.
        const auto limit = std::chrono::milliseconds(timeout_ms ? timeout_ms : 5000) + std::chrono::milliseconds(500);
        std::unique_lock lock(w.m);
        if (!w.cv.wait_for(lock, limit, [&] { return w.done; })) {
            lock.unlock();
            s.plugin.api().cancel(s.instance, ticket);
            lock.lock();
            w.cv.wait(lock, [&] { return w.done; });
        }
    }
    if (w.status == TJ_STATUS_INVALID_ARGUMENT) throw BadInput(w.payload);
    if (w.status == TJ_STATUS_OK) {
        emit(boost::json::parse(w.payload));
        return kExitOk;
    }
    // As ToolJump does for a failed integration: one important text card.
    const std::string message = w.status == TJ_STATUS_CANCELLED ? "timed out" : w.payload;
    emit(boost::json::array{boost::json::object{
        {"type", "text"}, {"content", s.manifest.name + ": " + message}, {"status", "important"}}});
    return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::string(argv[1]) == "serve") return tjhost::serve_main(argc, argv);
    try {
        const auto args = parse_args(argc, argv);
        if (args.command != "describe" && args.command != "resolve" && args.command != "query")
            throw BadInput("unknown subcommand '" + args.command + "'");
        if (!args.has("plugin")) throw BadInput("--plugin SO is required");
        if (args.command == "describe") return cmd_describe(args);
        if (args.command == "resolve") return cmd_resolve(args);
        return cmd_query(args);
    } catch (const BadInput& e) {
        std::cerr << "tj-host: " << e.what() << "\n" << kUsage << tjhost::kServeUsage;
        return kExitBadInput;
    } catch (const std::exception& e) {
        std::cerr << "tj-host: " << e.what() << "\n";
        return kExitPlugin;
    }
}
