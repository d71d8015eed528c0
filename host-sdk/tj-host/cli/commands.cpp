#include "commands.hpp"
#include "tjc/mutex.hpp"

#include "context_args.hpp"
#include "loader.hpp"
#include "manifest.hpp"
#include "match.hpp"
#include "plugin_search.hpp"
#include "session.hpp"
#include "text_table.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <memory>

namespace tjhost::cli {

namespace {

boost::json::value context_of(const Command& c) {
    // A malformed --context or --repo is the user's input: exit 2, not 1.
    try {
        if (!c.context.context.empty()) {
            return context_from_arg(c.context.context);
        }
        return context_from_repo({c.context.repo, c.context.service, c.context.branch, c.context.commit});
    } catch (const std::runtime_error& e) {
        throw BadInput(e.what());
    }
}

// The plugin's config rejected: bad input (exit 2).
std::unique_ptr<Session> open_session(const Command& c) {
    try {
        return std::make_unique<Session>(c.plugin, c.manifest, c.config);
    } catch (const ConfigRejected& e) {
        throw BadInput(e.what());
    }
}

void print_results(const Command& c, const boost::json::value& results) {
    if (c.format == "text") {
        std::cout << render_text(results);
    } else {
        std::cout << boost::json::serialize(results) << "\n";
    }
}

}  // namespace

int run_describe(const Command& c) {
    Plugin plugin(find_plugin(c.plugin));
    auto d = describe_static(plugin);
    const auto manifest_path = c.manifest.empty() ? default_manifest_path(plugin.path()) : c.manifest;
    if (std::filesystem::exists(manifest_path)) {
        const auto m = load_manifest(manifest_path);
        if (auto diff = compare_with_description(m, d); !diff.empty()) {
            throw std::runtime_error("plugin disagrees with " + m.path + ": " + diff);
        }
    }
    auto& o = d.as_object();
    boost::json::object out{{"name", o["name"]},
                            {"version", o["version"]},
                            {"abi", o["abi"]},
                            {"match", o["match"]},
                            {"requiredSecrets", o["requiredSecrets"]}};
    std::cout << boost::json::serialize(out) << "\n";
    return static_cast<int>(Exit::ok);
}

int run_resolve(const Command& c) {
    const auto context = context_of(c);
    const auto session = open_session(c);
    std::string why;
    if (!matches(session->manifest.match, context, &why)) {
        std::cerr << "the context does not match the plugin's manifest: " << why << "\n";
        std::cout << R"({"projects":[],"reason":"the context does not match the manifest"})"
                  << "\n";
        return static_cast<int>(Exit::no_match);
    }
    const auto answer = session->instance->resolve(boost::json::serialize(context));
    if (answer.status == TJ_STATUS_INVALID_ARGUMENT) {
        throw BadInput(answer.payload);
    }
    if (answer.status != TJ_STATUS_OK && answer.status != TJ_STATUS_NO_MATCH) {
        throw std::runtime_error("resolve failed: " + answer.payload);
    }
    std::cout << answer.payload << "\n";
    return static_cast<int>(answer.status == TJ_STATUS_OK ? Exit::ok : Exit::no_match);
}

int run_query(const Command& c) {
    const auto context = context_of(c);
    const auto session = open_session(c);
    if (!matches(session->manifest.match, context)) {
        print_results(c, boost::json::array{});
        return static_cast<int>(Exit::ok);
    }
    struct Wait {
        tjc::Mutex m;
        std::condition_variable cv;
        bool done TJC_GUARDED_BY(m) = false;
        tj_status status TJC_GUARDED_BY(m) = TJ_STATUS_INTERNAL;
        std::string payload TJC_GUARDED_BY(m);
    };
    auto w = std::make_shared<Wait>();
    std::uint64_t ticket = 0;
    const auto st = session->instance->submit(
        boost::json::serialize(context), c.timeout_ms,
        [w](std::uint64_t, tj_status status, std::string_view payload) {
            tjc::MutexLock lock(w->m);
            w->status = status;
            w->payload.assign(payload);
            w->done = true;
            w->cv.notify_all();
        },
        &ticket);
    if (st != TJ_STATUS_OK) {
        throw std::runtime_error("submit() refused the query (status " + std::to_string(st) + ")");
    }
    tj_status status = TJ_STATUS_INTERNAL;
    std::string payload;
    {
        // ToolJump gives an integration 5 s; the host enforces its own limit too.
        const auto until = std::chrono::steady_clock::now() +
                           std::chrono::milliseconds(c.timeout_ms ? c.timeout_ms : 5000) +
                           std::chrono::milliseconds(500);
        tjc::MutexLock lock(w->m);
        while (!w->done) {
            if (lock.wait_until(w->cv, until) == std::cv_status::timeout) {
                break;
            }
        }
        if (!w->done) {
            lock.unlock();
            session->instance->cancel(ticket);
            lock.lock();
            while (!w->done) {
                lock.wait(w->cv);
            }
        }
        status = w->status;
        payload = std::move(w->payload);
    }
    if (status == TJ_STATUS_INVALID_ARGUMENT) {
        throw BadInput(payload);
    }
    if (status == TJ_STATUS_OK) {
        print_results(c, boost::json::parse(payload));
        return static_cast<int>(Exit::ok);
    }
    // As ToolJump does for a failed integration: one important text card.
    const std::string message = status == TJ_STATUS_CANCELLED ? "timed out" : payload;
    print_results(
        c, boost::json::array{boost::json::object{
               {"type", "text"}, {"content", session->manifest.name + ": " + message}, {"status", "important"}}});
    return static_cast<int>(Exit::ok);
}

}  // namespace tjhost::cli
