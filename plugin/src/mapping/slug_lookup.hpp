// The opt-in lookup of circleci/<org-id>/<project-id> slugs (an organization with
// `lookup: true`): resolve() marks the project, the API client asks
// GET /project/{name_slug}, slug_from_project() reads the answer, and SlugCache keeps it so
// that later pages resolve without asking. Pure apart from the cache's mutex; no network.
#pragma once

#include "mapping/resolve.hpp"
#include "tjc/expected.hpp"
#include "tjc/mutex.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tjc::mapping {

// circleci/<organization_id>/<id> from a GET /project/{slug} body; an error when the body is
// not a project, or belongs to another organization than the one the config names.
Expected<std::string> slug_from_project(std::string_view json, const SlugLookup& lookup);

class SlugCache {
public:
    using Clock = std::chrono::steady_clock;

    // Answers live for ttl; at most max_entries are kept (the oldest answer goes first).
    explicit SlugCache(std::chrono::seconds ttl = std::chrono::hours(24), std::size_t max_entries = 10'000)
        : ttl_(ttl), max_entries_(max_entries) {}

    [[nodiscard]] std::optional<std::string> get(const SlugLookup& lookup, Clock::time_point now) const;
    void put(const SlugLookup& lookup, std::string slug, Clock::time_point now);
    [[nodiscard]] std::size_t size() const;

    // Fills in the slug of every project that waits for a lookup the cache can answer.
    // Returns how many still wait.
    std::size_t apply(Resolution& resolution, Clock::time_point now) const;

private:
    struct Entry {
        std::string slug;
        Clock::time_point stored;
    };
    static std::string key(const SlugLookup& lookup);  // org id + lower-case host/org/repo

    std::chrono::seconds ttl_;
    std::size_t max_entries_;
    mutable Mutex mutex_;
    std::map<std::string, Entry, std::less<>> entries_ TJC_GUARDED_BY(mutex_);
};

}  // namespace tjc::mapping
