#include "events/circleci_event.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cctype>

namespace tjc::events {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// The string at a dotted path of objects, or "" when any step is missing or not of that type.
std::string string_at(const boost::json::value& root, std::initializer_list<const char*> path) {
    const boost::json::value* at = &root;
    for (const char* key : path) {
        const auto* o = at->if_object();
        at = o ? o->if_contains(key) : nullptr;
        if (!at) {
            return {};
        }
    }
    const auto* s = at->if_string();
    return s ? std::string(*s) : std::string();
}

bool changes_cards(std::string_view type) { return type == "workflow-completed" || type == "job-completed"; }

}  // namespace

std::string normalize_slug(std::string_view slug) {
    auto out = lower(slug);
    for (const auto& [long_form, short_form] : {std::pair{"github/", "gh/"}, std::pair{"bitbucket/", "bb/"}}) {
        if (out.starts_with(long_form)) {
            return short_form + out.substr(std::string_view(long_form).size());
        }
    }
    return out;
}

ParsedEvent parse_event(std::string_view event_json) {
    ParsedEvent out;
    boost::system::error_code ec;
    const auto v = boost::json::parse(event_json, ec);
    if (ec || !v.is_object()) {
        out.problem = ec ? "event: malformed JSON (" + ec.message() + ")" : "event: not a JSON object";
        return out;
    }
    const auto& o = v.get_object();
    const auto* payload = o.if_contains("payload");
    const auto* source = o.if_contains("source");
    const auto* type = o.if_contains("type");
    if (!payload || !payload->is_object() || !source || !source->is_string() || !type || !type->is_string()) {
        out.problem = "event: needs string source and type and an object payload";
        return out;
    }
    if (source->get_string() != "circleci" || !changes_cards(type->get_string())) {
        out.outcome = ParsedEvent::Outcome::not_ours;
        return out;
    }
    auto slug = string_at(*payload, {"project", "slug"});
    if (slug.empty()) {
        out.outcome = ParsedEvent::Outcome::not_ours;  // nothing names a project
        return out;
    }
    out.outcome = ParsedEvent::Outcome::change;
    out.change.slug = normalize_slug(slug);
    out.change.type = std::string(type->get_string());
    out.change.id = string_at(v, {"id"});
    out.change.branch = string_at(*payload, {"pipeline", "vcs", "branch"});
    if (out.change.branch.empty()) {
        out.change.branch = string_at(*payload, {"pipeline", "trigger_parameters", "git", "branch"});
    }
    return out;
}

}  // namespace tjc::events
