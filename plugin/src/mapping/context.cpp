#include "mapping/context.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include <algorithm>
#include <cctype>

namespace tjc::mapping {

namespace {

constexpr std::size_t kMaxContextBytes = 100 * 1024;  // ToolJump's body limit
constexpr std::size_t kMaxContextDepth = 16;          // contract: nesting up to 10 levels

const boost::json::value* at_path(const boost::json::value& root, std::initializer_list<std::string_view> path) {
    const boost::json::value* v = &root;
    for (auto key : path) {
        const auto* obj = v->if_object();
        if (!obj) return nullptr;
        v = obj->if_contains(key);
        if (!v) return nullptr;
    }
    return v;
}

// A string at path, or "" when absent or null; an error when present with another type.
Expected<std::string> string_at(const boost::json::value& root, std::initializer_list<std::string_view> path,
                                std::string_view name) {
    const auto* v = at_path(root, path);
    if (!v || v->is_null()) return std::string();
    if (const auto* s = v->if_string()) return std::string(s->data(), s->size());
    return Error{"context: '" + std::string(name) + "' must be a string"};
}

}  // namespace

bool looks_like_sha(std::string_view s) noexcept {
    return s.size() >= 7 && s.size() <= 40 &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

Expected<ContextFacts> extract_facts(const boost::json::value& context) {
    if (!context.is_object()) return Error{"context: must be a JSON object"};
    ContextFacts f;

#define TJC_READ(field, name, ...)                                      \
    do {                                                                \
        auto r = string_at(context, {__VA_ARGS__}, name);               \
        if (!r) return Error{r.error()};                                \
        f.field = std::move(r).value();                                 \
    } while (0)

    TJC_READ(type, "type", "type");
    if (f.type.empty()) return Error{"context: 'type' is required (e.g. \"github\")"};
    TJC_READ(url, "url", "url");
    TJC_READ(repository, "page.repository", "page", "repository");
    TJC_READ(env, "env", "env");
#undef TJC_READ
    auto hash_read = string_at(context, {"page", "section", "hash"}, "page.section.hash");
    if (!hash_read) return Error{hash_read.error()};
    const std::string hash = std::move(hash_read).value();

    // service: {"name": ...} or a plain string.
    if (const auto* svc = at_path(context, {"service"})) {
        if (const auto* s = svc->if_string()) {
            f.service.assign(s->data(), s->size());
        } else if (svc->is_object()) {
            auto r = string_at(context, {"service", "name"}, "service.name");
            if (!r) return Error{r.error()};
            f.service = std::move(r).value();
        } else if (!svc->is_null()) {
            return Error{"context: 'service' must be a string or an object with 'name'"};
        }
    }
    // tags: ["service:webshop", "env:prod"]; explicit fields win over tags.
    if (const auto* tags = at_path(context, {"tags"})) {
        const auto* arr = tags->if_array();
        if (!arr && !tags->is_null()) return Error{"context: 'tags' must be a list of strings"};
        if (arr) {
            for (const auto& t : *arr) {
                const auto* s = t.if_string();
                if (!s) return Error{"context: 'tags' must be a list of strings"};
                const std::string_view tag(s->data(), s->size());
                if (tag.starts_with("service:") && f.service.empty()) f.service = tag.substr(8);
                if (tag.starts_with("env:") && f.env.empty()) f.env = tag.substr(4);
            }
        }
    }

    if (looks_like_sha(hash)) {
        f.commit = hash;
    } else {
        f.branch = hash;
    }
    return f;
}

Expected<ContextFacts> parse_context(std::string_view json) {
    if (json.size() > kMaxContextBytes) return Error{"context: larger than 100 kB"};
    boost::json::parse_options opts;
    opts.max_depth = kMaxContextDepth;
    boost::system::error_code ec;
    auto value = boost::json::parse(json, ec, {}, opts);
    if (ec) return Error{"context: invalid JSON (" + ec.message() + ")"};
    return extract_facts(value);
}

}  // namespace tjc::mapping
