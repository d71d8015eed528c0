// The fetch plan: for one mapped project, the requests its cards need, in as few dependent
// waves as the answers allow, reusing what cannot change.
//
// Cold, in the common case, two waves:
//   wave 1: the project (its default branch) when not remembered; the first page of the
//           shown branch's pipelines — for the default branch while it is not yet known, a
//           guess ("main", or the default branch remembered from before) and the unfiltered
//           first page beside it; the default branch's pipelines for deploys on a branch page
//           when its name is remembered; insights and their trends (without a branch they are
//           the default branch's: the API's rule)
//   wave 2: the workflows of the selected pipelines, all at once (finished pipelines seen
//           before are kept and not asked again)
// A third wave only when the first page holds nothing of the default branch (a default branch
// other than "main" seen for the first time, whose pipelines are not among the newest of the
// project): then its own first page, and its workflows.
// Each chain starts its next requests as soon as its own answers are in, never waiting for
// another chain. A refresh of an unchanged repo costs its first page(s) of pipelines.
//
// Failures are kept where they happen: only a failure of the project itself fails the plan
// (its own answer, or a 404, 401 or 403 for its pipelines: it is gone or the token may not see
// it); a failed pipelines page, a pipeline whose workflows cannot be read, or insights that
// fail are recorded in the snapshot for the cards concerned.
// Runs on the io thread; ends by `deadline`.
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
    // slug -> the default branch last seen, without expiry: a guess for the first wave when the
    // project is not remembered (checked against the project's answer in the same wave).
    cache::LruStore<std::string> default_branches;
    // slug|branch|window -> insights, for cache.insights_ttl_s (CircleCI refreshes daily).
    cache::LruStore<cards::InsightsData> insights;
    // slug -> CircleCI's 404 for it, for 15 minutes, under a convention: a repository without a
    // CircleCI project (most of a company's) costs no request each view.
    cache::LruStore<std::string> missing;
    // organization id -> its contexts, for an hour (the contexts card).
    cache::LruStore<std::vector<circleci::Context>> contexts;
    // Opt-in lookups: repo -> circleci/<org-id>/<project-id>, asked once a day.
    mapping::SlugCache slugs;
};

struct FetchFailure {
    cards::FailureKind kind = cards::FailureKind::unreachable;
    std::string detail;  // one line from the client, never a token
};

struct FetchResult {
    std::optional<cards::ProjectSnapshot> snapshot;  // set on success, partial or whole
    std::optional<FetchFailure> failure;             // set otherwise: the project itself failed
    // Set when a part of the snapshot failed for a passing reason (timeout, 5xx, rate limit,
    // unreachable, an unreadable answer): its cards are true but not the whole story, so the
    // last good cards (with a note) are better while there are some, and it is not kept.
    // A part missing for good (a pipeline's workflows gone: 404) is a whole answer.
    std::optional<FetchFailure> passing_trouble;

    static FetchResult failed(FetchFailure f) {
        FetchResult r;
        r.failure = std::move(f);
        return r;
    }
};

cards::FailureKind failure_kind(circleci::ApiErrorKind kind) noexcept;

boost::asio::awaitable<FetchResult> fetch_project(circleci::Client& api, Stores& stores, const config::Config& config,
                                                  mapping::ProjectTarget target, circleci::Credential credential,
                                                  circleci::Deadline deadline);

}  // namespace tjc::plan
