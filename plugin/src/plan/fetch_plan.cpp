#include "plan/fetch_plan.hpp"

#include "cards/render.hpp"
#include "plan/filters.hpp"
#include "plan/when_all.hpp"
#include "util/wipe.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <limits>
#include <map>

namespace tjc::plan {

namespace asio = boost::asio;
using circleci::ApiError;

namespace {

constexpr std::size_t kCommitPipelines = 5;       // pipelines shown for one commit at most
constexpr std::size_t kMaxKeptProjects = 10'000;  // projects and insights the stores keep
// The first wave's guess at a default branch nobody has told us yet: GitHub's default since
// 2020. Other names are found in the unfiltered first page asked beside it.
constexpr const char* kLikelyDefault = "main";

std::string insights_key(const std::string& slug, const std::string& branch, const std::string& window) {
    return slug + '\n' + branch + '\n' + window;
}

// What the finished store keeps of a pipeline's workflows: what the cards read, no more (it
// holds up to cache.max_immutable_pipelines of them).
std::vector<circleci::Workflow> kept_copy(const std::vector<circleci::Workflow>& workflows) {
    std::vector<circleci::Workflow> out;
    out.reserve(workflows.size());
    for (const auto& w : workflows) {
        circleci::Workflow k;
        k.id = w.id;
        k.name = w.name;
        k.status = w.status;
        k.created_at = w.created_at;
        k.stopped_at = w.stopped_at;
        k.tag = w.tag;
        out.push_back(std::move(k));
    }
    return out;
}

// True when every workflow has stopped: from then on the pipeline's workflows never change.
bool all_finished(const std::vector<circleci::Workflow>& workflows) {
    if (workflows.empty()) {
        return false;
    }
    for (const auto& w : workflows) {
        if (!w.stopped_at && w.status != circleci::WorkflowStatus::not_run) {
            return false;
        }
        if (w.status == circleci::WorkflowStatus::on_hold || w.status == circleci::WorkflowStatus::running ||
            w.status == circleci::WorkflowStatus::failing) {
            return false;
        }
    }
    return true;
}

cards::PartFailure part_failure(const ApiError& e) { return {failure_kind(e.kind), e.message}; }

// Trouble that may be gone in a minute (rather than a fact about the project or the token).
bool passing(cards::FailureKind k) noexcept {
    using F = cards::FailureKind;
    return k == F::rate_limited || k == F::unreachable || k == F::tls || k == F::timeout || k == F::bad_response ||
           k == F::server_error;
}

// The pipelines one chain will show: selected from a page, or why the page failed.
struct Selection {
    std::vector<circleci::Pipeline> pipelines;
    std::optional<cards::PartFailure> failure;
};

// A pipeline's workflows as fetched (or kept), or why they could not be.
struct WorkflowsEntry {
    std::vector<circleci::Workflow> workflows;
    std::optional<cards::PartFailure> failure;
};

// The default branch as the plan knows it before asking: certain (the project is remembered),
// a guess (the name seen last time), or nothing.
struct KnownDefault {
    std::string name;
    bool certain = false;
};

// One plan run: its state lives here, in the coroutine frame of fetch_project, and every
// task of the plan runs on the same single-threaded executor, so nothing here needs a lock.
class Run {
public:
    Run(circleci::Client& api, Stores& stores, const config::Config& config, mapping::ProjectTarget target,
        circleci::Credential credential, circleci::Deadline deadline)
        : api_(api),
          stores_(stores),
          config_(config),
          target_(std::move(target)),
          credential_(std::move(credential)),
          deadline_(deadline),
          commit_page_(!target_.commit.empty()),
          on_default_(!commit_page_ && target_.branch.empty() && target_.branch_candidates.empty()),
          want_deploys_(!commit_page_ && cards::card_enabled(target_, config_.cards, "deploys")),
          want_insights_(!commit_page_ && cards::card_enabled(target_, config_.cards, "insights")) {}
    ~Run() { wipe(credential_.token); }  // the plan's copy of the token lives as long as the run
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    // The steps, in order.
    asio::awaitable<std::optional<FetchFailure>> lookup_slug();
    asio::awaitable<void> fetch_all();
    FetchResult assemble();

private:
    // The chains fetch_all runs side by side.
    asio::awaitable<void> shown_branch_chain();
    asio::awaitable<void> default_branch_chain();
    asio::awaitable<void> insights_chain(std::string branch);
    asio::awaitable<void> pull_chain();
    asio::awaitable<void> contexts_chain();

    asio::awaitable<void> pick_candidate_branch();

    asio::awaitable<void> ensure_project();
    KnownDefault known_default() const;
    asio::awaitable<Selection> default_branch_pipelines(std::size_t limit);
    asio::awaitable<Selection> pipelines_of(std::string branch, std::size_t limit);
    asio::awaitable<void> fetch_workflows(const std::vector<circleci::Pipeline>& pipelines);

    std::vector<circleci::Pipeline> select(const std::vector<circleci::Pipeline>& page, std::size_t limit,
                                           const std::string* only_branch) const;
    std::vector<cards::PipelineRun> runs(const std::vector<circleci::Pipeline>& pipelines) const;
    std::optional<FetchFailure> first_passing_trouble() const;
    std::string default_branch() const { return project_ ? project_->vcs_info.default_branch : std::string(); }

    circleci::Client& api_;
    Stores& stores_;
    const config::Config& config_;
    mapping::ProjectTarget target_;
    circleci::Credential credential_;
    circleci::Deadline deadline_;
    const bool commit_page_;
    const bool on_default_;  // the page shows the project's default branch
    const bool want_deploys_;
    const bool want_insights_;

    // The project, fetched once for whichever chain needs it first.
    std::shared_ptr<const circleci::Project> project_;
    std::optional<FetchFailure> project_failure_;
    bool project_started_ = false;
    bool project_done_ = false;
    std::optional<asio::steady_timer> project_event_;

    std::string shown_branch_;  // the branch the cards show ("" on a commit page)
    Selection shown_;           // its pipelines (or the commit's)
    Selection defaults_;        // the default branch's, for deploys on another branch's page
    bool default_is_shown_ = false;
    std::map<std::string, WorkflowsEntry> workflows_;  // pipeline id -> its workflows
    std::shared_ptr<const cards::InsightsData> insights_;
    std::optional<cards::PartFailure> insights_failure_;
    std::vector<circleci::Pipeline> pull_pipelines_;  // a PR page: those CircleCI ties to the PR
    std::shared_ptr<const std::vector<circleci::Context>> contexts_;
};

asio::awaitable<void> Run::ensure_project() {
    if (project_done_ || project_) {
        co_return;
    }
    if (project_started_) {
        boost::system::error_code ec;
        while (!project_done_) {
            co_await project_event_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        co_return;
    }
    project_started_ = true;
    project_event_.emplace(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
    if (!(project_ = stores_.projects.get(target_.slug))) {
        // Arguments as named values: GCC 12 mis-destroys temporaries passed to a coroutine.
        std::string slug = target_.slug;
        auto r = co_await api_.project(credential_, slug, deadline_);
        if (r) {
            project_ = std::make_shared<const circleci::Project>(std::move(r).value());
            stores_.projects.put(target_.slug, project_);
            stores_.default_branches.put(target_.slug,
                                         std::make_shared<const std::string>(project_->vcs_info.default_branch));
        } else {
            project_failure_ = FetchFailure{failure_kind(r.error().kind), r.error().message};
        }
    }
    project_done_ = true;
    project_event_->cancel();
}

KnownDefault Run::known_default() const {
    if (project_) {
        return {project_->vcs_info.default_branch, true};
    }
    if (auto hint = stores_.default_branches.get(target_.slug)) {
        return {*hint, false};
    }
    return {};
}

// The first `limit` selected pipelines of a page: the service's, the commit's on a commit
// page, and those of `only_branch` when given (an unfiltered page).
std::vector<circleci::Pipeline> Run::select(const std::vector<circleci::Pipeline>& page, std::size_t limit,
                                            const std::string* only_branch) const {
    std::vector<circleci::Pipeline> out;
    for (const auto& p : page) {
        if (out.size() >= limit) {
            break;
        }
        if (!pipeline_selected(target_, p)) {
            continue;
        }
        if (only_branch && (!p.vcs || p.vcs->branch != *only_branch)) {
            continue;
        }
        if (commit_page_ && (!p.vcs || !p.vcs->revision || !p.vcs->revision->starts_with(target_.commit))) {
            continue;
        }
        out.push_back(p);
    }
    return out;
}

// One branch's first page ("" = every branch, newest first), selected.
asio::awaitable<Selection> Run::pipelines_of(std::string branch, std::size_t limit) {
    Selection s;
    std::string slug = target_.slug;
    std::string first_page;
    auto page = co_await api_.pipelines(credential_, slug, branch, first_page, deadline_);
    if (!page) {
        s.failure = part_failure(page.error());
        co_return s;
    }
    s.pipelines = select(page.value().items, limit, nullptr);
    co_return s;
}

// The default branch's pipelines, asked for beside the project rather than after it.
asio::awaitable<Selection> Run::default_branch_pipelines(std::size_t limit) {
    const auto known = known_default();
    if (known.certain) {
        co_return co_await pipelines_of(known.name, limit);
    }
    Selection guess, newest;
    std::string guessed = known.name.empty() ? std::string(kLikelyDefault) : known.name;
    std::vector<Task> wave;
    wave.push_back([&]() -> asio::awaitable<void> { co_await ensure_project(); });
    wave.push_back([&]() -> asio::awaitable<void> { guess = co_await pipelines_of(guessed, limit); });
    if (known.name.empty()) {
        // A default branch other than "main": its newest pipelines are likely among these.
        wave.push_back([&]() -> asio::awaitable<void> {
            newest = co_await pipelines_of(std::string(), std::numeric_limits<std::size_t>::max());
        });
    }
    co_await when_all(std::move(wave));
    if (!project_) {
        co_return Selection{};  // the project failed: the plan fails with it
    }
    const std::string actual = default_branch();
    if (actual == guessed) {
        co_return guess;
    }
    if (!newest.failure) {
        Selection found;
        found.pipelines = select(newest.pipelines, limit, &actual);
        if (!found.pipelines.empty()) {
            co_return found;
        }
    }
    co_return co_await pipelines_of(actual, limit);  // the third wave: nothing of it so far
}

// Workflows of each pipeline, in parallel, from the finished store when possible.
asio::awaitable<void> Run::fetch_workflows(const std::vector<circleci::Pipeline>& pipelines) {
    std::vector<Task> tasks;
    for (const auto& p : pipelines) {
        if (workflows_.contains(p.id)) {
            continue;
        }
        if (auto kept = stores_.finished_workflows.get(p.id)) {
            workflows_[p.id].workflows = *kept;
            continue;
        }
        workflows_[p.id];  // claimed: another chain will not fetch it again
        tasks.push_back([this, id = p.id]() -> asio::awaitable<void> {
            std::string pipeline_id = id;
            auto r = co_await api_.workflows(credential_, pipeline_id, deadline_);
            auto& entry = workflows_[id];
            if (!r) {
                entry.failure = part_failure(r.error());
                co_return;
            }
            auto items = std::move(r.value().items);
            if (all_finished(items)) {
                stores_.finished_workflows.put(
                    id, std::make_shared<const std::vector<circleci::Workflow>>(kept_copy(items)));
            }
            entry.workflows = std::move(items);
        });
    }
    co_await when_all(std::move(tasks));
}

// The branch (or commit) the page shows: its first page, then its pipelines' workflows.
asio::awaitable<void> Run::shown_branch_chain() {
    const auto& cards_cfg = config_.cards;
    if (commit_page_) {
        shown_ = co_await pipelines_of(std::string(), kCommitPipelines);
    } else if (on_default_) {
        std::size_t limit = cards_cfg.recent_pipelines;
        if (want_deploys_) {
            limit = std::max<std::size_t>(limit, cards_cfg.deploy_scan_pipelines);
        }
        shown_ = co_await default_branch_pipelines(limit);
        shown_branch_ = default_branch();
        default_is_shown_ = true;
    } else if (target_.branch.empty()) {
        // The branch is one of the candidates; insights are the picked branch's, asked now.
        co_await pick_candidate_branch();
        std::vector<Task> next;
        next.push_back([this]() -> asio::awaitable<void> { co_await fetch_workflows(shown_.pipelines); });
        if (want_insights_) {
            next.push_back([this]() -> asio::awaitable<void> {
                // A named value: GCC 12 mis-destroys temporaries passed to a coroutine.
                std::string branch = default_is_shown_ ? std::string() : shown_branch_;
                co_await insights_chain(branch);
            });
        }
        co_await when_all(std::move(next));
        co_return;
    } else {
        shown_branch_ = target_.branch;
        shown_ = co_await pipelines_of(target_.branch, cards_cfg.recent_pipelines);
    }
    co_await fetch_workflows(shown_.pipelines);
}

// A branch that may hold '/' (the extension cuts "feature/x" to "feature"): the first page of
// each candidate at once, one round trip; the longest CircleCI has pipelines of is the branch,
// else the default branch (its status card says which branch the page shows).
asio::awaitable<void> Run::pick_candidate_branch() {
    const auto& candidates = target_.branch_candidates;
    std::vector<Selection> pages(candidates.size());
    std::vector<Task> wave;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        wave.push_back([this, i, &pages]() -> asio::awaitable<void> {
            std::string branch = target_.branch_candidates[i];
            pages[i] = co_await pipelines_of(branch, config_.cards.recent_pipelines);
        });
    }
    co_await when_all(std::move(wave));
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (!pages[i].failure && !pages[i].pipelines.empty()) {
            shown_branch_ = candidates[i];
            shown_ = std::move(pages[i]);
            co_return;
        }
    }
    for (auto& page : pages) {
        if (page.failure) {  // the project's pipelines failed: that says more than any branch
            shown_branch_ = candidates.back();
            shown_ = std::move(page);
            co_return;
        }
    }
    std::size_t limit = config_.cards.recent_pipelines;
    if (want_deploys_) {
        limit = std::max<std::size_t>(limit, config_.cards.deploy_scan_pipelines);
    }
    shown_ = co_await default_branch_pipelines(limit);
    shown_branch_ = default_branch();
    default_is_shown_ = true;
}

// A PR page: the newest pipelines of every branch, and of them those CircleCI ties to this PR
// (vcs.review_id, or a review_url ending in /pull/<N>); never a guess from branch names.
asio::awaitable<void> Run::pull_chain() {
    auto newest = co_await pipelines_of(std::string(), std::numeric_limits<std::size_t>::max());
    const std::string url_tail = "/pull/" + target_.pull;
    for (const auto& p : newest.pipelines) {
        if (pull_pipelines_.size() >= config_.cards.recent_pipelines) {
            break;
        }
        if (!p.vcs) {
            continue;
        }
        const bool by_id = p.vcs->review_id && *p.vcs->review_id == target_.pull;
        const bool by_url = p.vcs->review_url && p.vcs->review_url->ends_with(url_tail);
        if (by_id || by_url) {
            pull_pipelines_.push_back(p);
        }
    }
    co_await fetch_workflows(pull_pipelines_);
}

// The contexts card: the organization's contexts, kept an hour. A token that may not list them
// (403, 404) drops the card quietly; passing trouble does too (the card is a convenience).
asio::awaitable<void> Run::contexts_chain() {
    co_await ensure_project();
    if (!project_ || !project_->organization_id) {
        co_return;
    }
    const std::string org = *project_->organization_id;
    if ((contexts_ = stores_.contexts.get(org))) {
        co_return;
    }
    std::string owner = org;
    auto page = co_await api_.contexts(credential_, owner, deadline_);
    if (!page) {
        co_return;
    }
    contexts_ = std::make_shared<const std::vector<circleci::Context>>(std::move(page.value().items));
    stores_.contexts.put(org, contexts_);
}

// Deploys on another branch's page: the default branch's pipelines and their workflows.
asio::awaitable<void> Run::default_branch_chain() {
    const auto limit = config_.cards.deploy_scan_pipelines;
    const auto known = known_default();
    const std::string likely = known.name.empty() ? std::string(kLikelyDefault) : known.name;
    if (likely == target_.branch) {
        // The shown chain asks for this branch already; the project says whether it is the default.
        if (!known.certain) {
            co_await ensure_project();
            if (!project_) {
                co_return;
            }
        }
        if (known.certain || default_branch() == target_.branch) {
            default_is_shown_ = true;
            co_return;
        }
        defaults_ = co_await pipelines_of(default_branch(), limit);
    } else {
        defaults_ = co_await default_branch_pipelines(limit);
        if (default_branch() == target_.branch) {
            default_is_shown_ = true;  // the page is on the default branch after all
            co_return;
        }
    }
    co_await fetch_workflows(defaults_.pipelines);
}

// Insights and their trends, which CircleCI refreshes daily. Their failure fails no other card.
asio::awaitable<void> Run::insights_chain(std::string branch) {
    const auto& window = config_.cards.reporting_window;
    const auto key = insights_key(target_.slug, branch, window);
    if ((insights_ = stores_.insights.get(key))) {
        co_return;
    }
    auto data = std::make_shared<cards::InsightsData>();
    std::optional<ApiError> metrics_error;
    std::vector<Task> parts;
    parts.push_back([&]() -> asio::awaitable<void> {
        // No branch: the default branch's, by the API's rule.
        std::string slug = target_.slug, which = branch, reporting_window = window;
        auto m = co_await api_.workflow_metrics(credential_, slug, which, reporting_window, deadline_);
        if (m) {
            data->workflows = std::move(m.value().items);
        } else {
            metrics_error = m.error();
        }
    });
    parts.push_back([&]() -> asio::awaitable<void> {
        std::vector<std::string> branches;
        if (!branch.empty()) {
            branches.push_back(branch);
        }
        std::string slug = target_.slug, reporting_window = window;
        auto s = co_await api_.pages_summary(credential_, slug, reporting_window, branches, deadline_);
        if (s) {
            data->trends = cards::trends_of(s.value());  // optional: the card does without
        }
    });
    co_await when_all(std::move(parts));
    if (metrics_error) {
        insights_failure_ = part_failure(*metrics_error);
        co_return;
    }
    insights_ = data;
    stores_.insights.put(key, data);
}

asio::awaitable<std::optional<FetchFailure>> Run::lookup_slug() {
    if (!target_.slug.empty()) {
        co_return std::nullopt;
    }
    // An organization with `lookup: true`: ask CircleCI which project this repo is.
    const auto& lookup = target_.lookup;
    if (lookup.empty()) {
        co_return FetchFailure{cards::FailureKind::not_found, "the mapping gave no slug"};
    }
    std::string name_slug = lookup.name_slug;
    auto found = co_await api_.project(credential_, name_slug, deadline_);
    if (!found) {
        co_return FetchFailure{failure_kind(found.error().kind), found.error().message};
    }
    const auto& p = found.value();
    if (!p.id || !p.organization_id || *p.organization_id != lookup.org_id) {
        co_return FetchFailure{cards::FailureKind::not_found,
                               name_slug + " is not a project of organization " + lookup.org_id};
    }
    target_.slug = "circleci/" + lookup.org_id + "/" + *p.id;
    stores_.slugs.put(lookup, target_.slug, mapping::SlugCache::Clock::now());
    stores_.projects.put(target_.slug, std::make_shared<const circleci::Project>(p));
    co_return std::nullopt;
}

asio::awaitable<void> Run::fetch_all() {
    project_ = stores_.projects.get(target_.slug);  // remembered: its default branch is certain
    std::vector<Task> chains;
    chains.push_back([this]() -> asio::awaitable<void> { co_await shown_branch_chain(); });
    if (want_deploys_ && !on_default_) {
        chains.push_back([this]() -> asio::awaitable<void> { co_await default_branch_chain(); });
    }
    const bool candidates = !commit_page_ && target_.branch.empty() && !target_.branch_candidates.empty();
    if (want_insights_ && !candidates) {  // with candidates, the shown chain asks once it picked
        chains.push_back([this]() -> asio::awaitable<void> { co_await insights_chain(target_.branch); });
    }
    if (!target_.pull.empty() && !commit_page_) {
        chains.push_back([this]() -> asio::awaitable<void> { co_await pull_chain(); });
    }
    const bool names_owner = !target_.service.empty() || !target_.team.empty();
    if (names_owner && cards::card_enabled(target_, config_.cards, "contexts")) {
        chains.push_back([this]() -> asio::awaitable<void> { co_await contexts_chain(); });
    }
    // The project is asked for in the first wave whenever it is not remembered: it gives the
    // repository's web address, and it checks a remembered default branch.
    if (!commit_page_ && !project_) {
        chains.push_back([this]() -> asio::awaitable<void> { co_await ensure_project(); });
    }
    co_await when_all(std::move(chains));
}

std::vector<cards::PipelineRun> Run::runs(const std::vector<circleci::Pipeline>& pipelines) const {
    std::vector<cards::PipelineRun> out;
    for (const auto& p : pipelines) {
        cards::PipelineRun run{p, {}, false, {}};
        if (auto it = workflows_.find(p.id); it != workflows_.end()) {
            run.workflows_failure = it->second.failure;
            run.workflows_known = !it->second.failure;
            if (run.workflows_known) {
                run.workflows = select_workflows(target_, it->second.workflows);
                // A service's filter leaves out pipelines that ran none of its workflows.
                if (has_workflow_filter(target_) && run.workflows.empty() && !it->second.workflows.empty()) {
                    continue;
                }
            }
        }
        out.push_back(std::move(run));
    }
    return out;
}

std::optional<FetchFailure> Run::first_passing_trouble() const {
    for (const auto* part : {&shown_.failure, &defaults_.failure, &insights_failure_}) {
        if (*part && passing((*part)->kind)) {
            return FetchFailure{(*part)->kind, (*part)->detail};
        }
    }
    for (const auto& [id, entry] : workflows_) {
        if (entry.failure && passing(entry.failure->kind)) {
            return FetchFailure{entry.failure->kind, entry.failure->detail};
        }
    }
    return std::nullopt;
}

FetchResult Run::assemble() {
    FetchResult out;
    if (project_failure_) {
        out.failure = std::move(project_failure_);
        return out;
    }
    // A project whose pipelines are not found (it is gone), or a token refused for them, is
    // the project's failure, not one card's.
    if (shown_.failure && !passing(shown_.failure->kind)) {
        out.failure = FetchFailure{shown_.failure->kind, shown_.failure->detail};
        return out;
    }
    out.passing_trouble = first_passing_trouble();
    cards::ProjectSnapshot snap;
    snap.target = target_;
    snap.branch = shown_branch_;
    snap.branch_is_default = !commit_page_ && (on_default_ || shown_branch_ == default_branch());
    if (project_) {
        snap.project = *project_;
    }
    snap.pipelines = runs(shown_.pipelines);
    snap.pipelines_failure = shown_.failure;
    // On the default branch the shown chain looked as far back as deploys need; the
    // recent-pipelines card shows only its first entries.
    if (default_is_shown_) {
        snap.default_pipelines = snap.pipelines;  // a failure of them is the status card's to say
    } else {
        snap.default_pipelines = runs(defaults_.pipelines);
        snap.default_failure = defaults_.failure;
    }
    if (insights_) {
        cards::InsightsData data = *insights_;
        std::erase_if(data.workflows, [&](const circleci::WorkflowMetrics& w) {
            return has_workflow_filter(target_) &&
                   !std::any_of(target_.workflows.begin(), target_.workflows.end(),
                                [&](const std::string& p) { return glob_match(p, w.name); });
        });
        snap.insights = std::move(data);
    }
    snap.insights_failure = insights_failure_;
    snap.pull_pipelines = runs(pull_pipelines_);
    if (contexts_) {
        snap.contexts = *contexts_;
    }
    if (project_ && project_->vcs_info.vcs_url.starts_with("https://")) {
        snap.repo_web_url = project_->vcs_info.vcs_url;
    } else if (!shown_.pipelines.empty() && shown_.pipelines.front().vcs &&
               shown_.pipelines.front().vcs->origin_repository_url) {
        snap.repo_web_url = *shown_.pipelines.front().vcs->origin_repository_url;
    }
    out.snapshot = std::move(snap);
    return out;
}

}  // namespace

Stores::Stores(const config::CacheConfig& cfg)
    : finished_workflows(cfg.max_immutable_pipelines),
      projects(kMaxKeptProjects, std::chrono::hours(1)),
      default_branches(kMaxKeptProjects),
      insights(kMaxKeptProjects, std::chrono::seconds(cfg.insights_ttl_s)),
      missing(kMaxKeptProjects, std::chrono::minutes(15)),
      contexts(kMaxKeptProjects, std::chrono::hours(1)) {}

void Stores::apply(const config::CacheConfig& cfg) {
    finished_workflows.set_limits(cfg.max_immutable_pipelines, std::chrono::milliseconds::zero());
    insights.set_limits(kMaxKeptProjects, std::chrono::seconds(cfg.insights_ttl_s));
}

cards::FailureKind failure_kind(circleci::ApiErrorKind kind) noexcept {
    using K = circleci::ApiErrorKind;
    using F = cards::FailureKind;
    switch (kind) {
        case K::no_token: return F::no_token;
        case K::unauthorized: return F::token_rejected;
        case K::forbidden: return F::forbidden;
        case K::not_found: return F::not_found;
        case K::rate_limited: return F::rate_limited;
        case K::unreachable: return F::unreachable;
        case K::tls: return F::tls;
        case K::timeout:
        case K::cancelled: return F::timeout;
        case K::bad_response: return F::bad_response;
        case K::server_error: return F::server_error;
    }
    return F::bad_response;
}

asio::awaitable<FetchResult> fetch_project(circleci::Client& api, Stores& stores, const config::Config& config,
                                           mapping::ProjectTarget target, circleci::Credential credential,
                                           circleci::Deadline deadline) {
    WipeOnExit wipe_token(credential.token);
    if (credential.token.empty()) {
        co_return FetchResult::failed({cards::FailureKind::no_token, ""});
    }
    // The slug, then its other spellings (mixed case under a convention) while CircleCI says 404.
    std::vector<std::string> slugs{target.slug};
    slugs.insert(slugs.end(), target.slug_fallbacks.begin(), target.slug_fallbacks.end());
    FetchResult result;
    for (const auto& slug : slugs) {
        target.slug = slug;
        if (auto known_missing = slug.empty() ? nullptr : stores.missing.get(slug)) {
            result = FetchResult::failed({cards::FailureKind::not_found, *known_missing});
            continue;
        }
        Run run(api, stores, config, target, credential, deadline);  // its copy of the token is wiped with it
        if (auto failure = co_await run.lookup_slug()) {
            result = FetchResult::failed(std::move(*failure));
        } else {
            co_await run.fetch_all();
            result = run.assemble();
        }
        if (!result.failure || result.failure->kind != cards::FailureKind::not_found) {
            break;
        }
        // Under a convention a 404 is the normal case: remembered. Under an explicit mapping it
        // is the admin's to fix, and the fix shows at the next view.
        if (!slug.empty() && mapping::is_convention(target.mapped_by)) {
            stores.missing.put(slug, std::make_shared<const std::string>(result.failure->detail));
        }
    }
    co_return result;
}

}  // namespace tjc::plan
