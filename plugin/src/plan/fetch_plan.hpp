// The fetch plan: for one mapped project, every independent request in parallel and the
// dependent chain as short as it can be:
//   level 1: project (only when the default branch is needed and not remembered),
//            the branch's first page of pipelines (when the branch is known),
//            insights and their trends (kept for cache.insights_ttl_s)
//   level 2: the default branch's pipelines (when level 1 had to learn it)
//   level 3: the workflows of the first pipelines, skipping finished pipelines seen before
// A refresh of an unchanged repo therefore costs its first page(s) of pipelines and nothing
// more. Runs on the io thread; ends by `deadline`.
#pragma once

#include "cache/lru_store.hpp"
#include "cards/error_card.hpp"
#include "cards/snapshot.hpp"
#include "circleci/client.hpp"
#include "config/config.hpp"
#include "mapping/slug_lookup.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace tjc::plan {

// What the plan may reuse across queries and reloads. Thread-safe.
struct Stores {
    explicit Stores(const config::CacheConfig& cfg);
    void apply(const config::CacheConfig& cfg);

    // pipeline id -> all its workflows, once every one of them finished: they never change.
    cache::LruStore<std::vector<circleci::Workflow>> finished_workflows;
    // slug -> project (its default branch), for an hour.
    cache::LruStore<circleci::Project> projects;
    // slug|branch|window -> insights, for cache.insights_ttl_s (CircleCI refreshes daily).
    cache::LruStore<cards::InsightsData> insights;
    // Opt-in lookups: repo -> circleci/<org-id>/<project-id>, asked once a day.
    mapping::SlugCache slugs;
};

struct FetchFailure {
    cards::FailureKind kind = cards::FailureKind::unreachable;
    std::string detail;  // one line from the client, never a token
};

struct FetchResult {
    std::optional<cards::ProjectSnapshot> snapshot;  // set on success
    std::optional<FetchFailure> failure;             // set otherwise
};

cards::FailureKind failure_kind(circleci::ApiErrorKind kind) noexcept;

boost::asio::awaitable<FetchResult> fetch_project(circleci::Client& api, Stores& stores, const config::Config& config,
                                                  mapping::ProjectTarget target, std::string token,
                                                  circleci::Deadline deadline);

}  // namespace tjc::plan
