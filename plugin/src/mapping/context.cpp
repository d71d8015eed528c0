#include "mapping/context.hpp"

#include "util/ascii.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include <cctype>

namespace tjc::mapping {

namespace {

constexpr std::size_t kMaxContextBytes = 100 * 1024;  // ToolJump's body limit
constexpr std::size_t kMaxContextDepth = 16;          // contract: nesting up to 10 levels

const boost::json::value* at_path(const boost::json::value& root, std::initializer_list<std::string_view> path) {
    const boost::json::value* v = &root;
    for (auto key : path) {
        const auto* obj = v->if_object();
        if (!obj) {
            return nullptr;
        }
        v = obj->if_contains(key);
        if (!v) {
            return nullptr;
        }
    }
    return v;
}

// A string at path, or "" when absent or null; an error when present with another type.
Expected<std::string> string_at(const boost::json::value& root, std::initializer_list<std::string_view> path,
                                std::string_view name) {
    const auto* v = at_path(root, path);
    if (!v || v->is_null()) {
        return std::string();
    }
    if (const auto* s = v->if_string()) {
        return std::string(s->data(), s->size());
    }
    return Error{"context: '" + std::string(name) + "' must be a string"};
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

// The fact a tag key names, or nullptr for keys the plugin does not read.
Fact* tag_target(ContextFacts& f, std::string_view key) {
    const auto k = ascii_lower(trim(key));
    if (k == "repository") {
        return &f.repository_tag;
    }
    if (k == "service") {
        return &f.service;
    }
    if (k == "env") {
        return &f.env;
    }
    if (k == "team") {
        return &f.team;
    }
    return nullptr;
}

// A fact keeps its first source: a context's own key beats a tag.
void offer(Fact* fact, std::string_view value, FactSource source) {
    if (fact && fact->empty()) {
        fact->value = trim(value);
        fact->source = fact->value.empty() ? FactSource::none : source;
    }
}

// tags: ["service:webshop", "env:prod"] or {"service": "webshop", "env": "prod"}; keys
// compare without case; keys the plugin does not read may hold anything.
Expected<bool> read_tags(const boost::json::value& context, ContextFacts& f) {
    const auto* tags = at_path(context, {"tags"});
    if (!tags || tags->is_null()) {
        return true;
    }
    if (const auto* arr = tags->if_array()) {
        for (const auto& t : *arr) {
            const auto* s = t.if_string();
            if (!s) {
                return Error{"context: 'tags' must be a list of \"key:value\" strings or an object"};
            }
            const std::string_view tag(s->data(), s->size());
            const auto colon = tag.find(':');
            if (colon != std::string_view::npos) {
                offer(tag_target(f, tag.substr(0, colon)), tag.substr(colon + 1), FactSource::tag);
            }
        }
        return true;
    }
    if (const auto* obj = tags->if_object()) {
        for (const auto& kv : *obj) {
            Fact* fact = tag_target(f, kv.key());
            if (!fact) {
                continue;
            }
            const auto* s = kv.value().if_string();
            if (!s && !kv.value().is_null()) {
                return Error{"context: 'tags." + std::string(kv.key()) + "' must be a string"};
            }
            if (s) {
                offer(fact, std::string_view(s->data(), s->size()), FactSource::tag);
            }
        }
        return true;
    }
    return Error{"context: 'tags' must be a list of \"key:value\" strings or an object"};
}

// Top-level repository/service/env/team strings, and service.name except on aws pages, where
// it is the AWS service (lambda, s3, ...), never a service tag.
Expected<bool> read_context_keys(const boost::json::value& context, ContextFacts& f) {
    for (auto [key, fact] :
         {std::pair{"repository", &f.repository_tag}, std::pair{"env", &f.env}, std::pair{"team", &f.team}}) {
        auto r = string_at(context, {key}, key);
        if (!r) {
            return Error{r.error()};
        }
        offer(fact, r.value(), FactSource::context_key);
    }
    const auto* svc = at_path(context, {"service"});
    if (!svc || svc->is_null()) {
        return true;
    }
    if (const auto* s = svc->if_string()) {
        offer(&f.service, std::string_view(s->data(), s->size()), FactSource::context_key);
        return true;
    }
    if (!svc->is_object()) {
        return Error{"context: 'service' must be a string or an object with 'name'"};
    }
    auto name = string_at(context, {"service", "name"}, "service.name");
    auto resource = string_at(context, {"service", "resourceName"}, "service.resourceName");
    if (!name) {
        return Error{name.error()};
    }
    if (!resource) {
        return Error{resource.error()};
    }
    if (f.type != "aws") {
        offer(&f.service, name.value(), FactSource::service_name);
    }
    f.resource_name = trim(resource.value());
    return true;
}

// page.section.pull is a string in the extension; a host may send a number.
Expected<std::string> pull_of(const boost::json::value& context) {
    const auto* v = at_path(context, {"page", "section", "pull"});
    if (!v || v->is_null()) {
        return std::string();
    }
    if (const auto* s = v->if_string()) {
        return std::string(s->data(), s->size());
    }
    if (v->is_int64() && v->as_int64() > 0) {
        return std::to_string(v->as_int64());
    }
    return Error{"context: 'page.section.pull' must be a string"};
}

// Branch, commit and PR of a github page, from its URL. The hash alone decides only a commit
// page's SHA when the URL says nothing (a host that sends no URL path).
Expected<bool> read_github_page(const boost::json::value& context, ContextFacts& f) {
    auto hash = string_at(context, {"page", "section", "hash"}, "page.section.hash");
    auto section = string_at(context, {"page", "section", "name"}, "page.section.name");
    auto pull = pull_of(context);
    if (!hash) {
        return Error{hash.error()};
    }
    if (!section) {
        return Error{section.error()};
    }
    if (!pull) {
        return Error{pull.error()};
    }
    if (f.type != "github") {
        return true;
    }
    PageRef ref;
    if (auto url = split_url(f.url); url && url->segments.size() >= 2) {
        ref = github_page_ref(std::vector<std::string>(url->segments.begin() + 2, url->segments.end()));
    }
    if (ref.commit.empty() && section.value() == "commit" && looks_like_sha(hash.value())) {
        ref.commit = hash.value();
    }
    f.branch = std::move(ref.branch);
    f.branch_candidates = std::move(ref.branch_candidates);
    f.commit = std::move(ref.commit);
    f.pull = !pull.value().empty() ? pull.value() : ref.pull;
    return true;
}

}  // namespace

std::string_view to_string(FactSource source) noexcept {
    switch (source) {
        case FactSource::none: return "none";
        case FactSource::page: return "page";
        case FactSource::context_key: return "context key";
        case FactSource::service_name: return "service.name";
        case FactSource::tag: return "tag";
        case FactSource::resource_name: return "resource name";
        case FactSource::url_pattern: return "URL pattern";
        case FactSource::rule: return "rule";
    }
    return "none";
}

Expected<ContextFacts> extract_facts(const boost::json::value& context) {
    if (!context.is_object()) {
        return Error{"context: must be a JSON object"};
    }
    ContextFacts f;
    auto type = string_at(context, {"type"}, "type");
    auto url = string_at(context, {"url"}, "url");
    auto repository = string_at(context, {"page", "repository"}, "page.repository");
    for (const auto* r : {&type, &url, &repository}) {
        if (!*r) {
            return Error{r->error()};
        }
    }
    f.type = std::move(type).value();
    if (f.type.empty()) {
        return Error{"context: 'type' is required (e.g. \"github\")"};
    }
    f.url = std::move(url).value();
    f.repository = std::move(repository).value();
    for (auto step : {read_context_keys, read_tags, read_github_page}) {
        if (auto ok = step(context, f); !ok) {
            return Error{ok.error()};
        }
    }
    return f;
}

Expected<ContextFacts> parse_context(std::string_view json) {
    if (json.size() > kMaxContextBytes) {
        return Error{"context: larger than 100 kB"};
    }
    boost::json::parse_options opts;
    opts.max_depth = kMaxContextDepth;
    boost::system::error_code ec;
    auto value = boost::json::parse(json, ec, {}, opts);
    if (ec) {
        return Error{"context: invalid JSON (" + ec.message() + ")"};
    }
    return extract_facts(value);
}

}  // namespace tjc::mapping
