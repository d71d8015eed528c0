#include "mapping/slug_lookup.hpp"

#include "util/ascii.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>

namespace tjc::mapping {

namespace {

bool valid_id(std::string_view s) {
    return !s.empty() && s.size() <= 100 &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

}  // namespace

Expected<std::string> slug_from_project(std::string_view json, const SlugLookup& lookup) {
    boost::system::error_code ec;
    const auto value = boost::json::parse(json, ec);
    if (ec || !value.is_object()) {
        return Error{"project lookup: the answer is not a JSON object"};
    }
    const auto& obj = value.get_object();
    const auto* id = obj.if_contains("id");
    const auto* org_id = obj.if_contains("organization_id");
    if (!id || !id->is_string() || !org_id || !org_id->is_string()) {
        return Error{"project lookup: the answer has no id and organization_id"};
    }
    const std::string project(id->get_string());
    const std::string org(org_id->get_string());
    if (!valid_id(project) || !valid_id(org)) {
        return Error{"project lookup: malformed ids in the answer"};
    }
    if (org != lookup.org_id) {
        return Error{"project lookup: '" + lookup.name_slug + "' belongs to another CircleCI organization"};
    }
    return "circleci/" + org + "/" + project;
}

std::string SlugCache::key(const SlugLookup& lookup) {
    return lookup.org_id + "|" + ascii_lower(lookup.host) + "/" + ascii_lower(lookup.org) + "/" +
           ascii_lower(lookup.repo);
}

std::optional<std::string> SlugCache::get(const SlugLookup& lookup, Clock::time_point now) const {
    MutexLock lock(mutex_);
    const auto it = entries_.find(key(lookup));
    if (it == entries_.end() || now - it->second.stored >= ttl_) {
        return std::nullopt;
    }
    return it->second.slug;
}

void SlugCache::put(const SlugLookup& lookup, std::string slug, Clock::time_point now) {
    MutexLock lock(mutex_);
    entries_[key(lookup)] = Entry{std::move(slug), now};
    while (entries_.size() > max_entries_) {
        const auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
            return a.second.stored < b.second.stored;
        });
        entries_.erase(oldest);
    }
}

std::size_t SlugCache::size() const {
    MutexLock lock(mutex_);
    return entries_.size();
}

std::size_t SlugCache::apply(Resolution& resolution, Clock::time_point now) const {
    std::size_t waiting = 0;
    for (auto& p : resolution.projects) {
        if (!p.slug.empty() || p.lookup.empty()) {
            continue;
        }
        if (auto slug = get(p.lookup, now)) {
            p.slug = std::move(*slug);
            p.rule += " (looked up at CircleCI, cached)";
        } else {
            ++waiting;
        }
    }
    return waiting;
}

}  // namespace tjc::mapping
