#include "plan/fetch_plan.hpp"

#include "cards/outcome.hpp"
#include "cards/render.hpp"
#include "plan/filters.hpp"
#include "plan/when_all.hpp"
#include "util/wipe.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>

namespace tjc::plan {

namespace asio = boost::asio;
using circleci::ApiError;

namespace {

constexpr std::size_t kCommitPipelines = 5;    // pipelines shown for one commit at most
constexpr std::size_t kMaxKeptProjects = 10'000;  // projects and insights the stores keep

std::string insights_key(const std::string& slug, const std::string& branch, const std::string& window) {
    return slug + '\n' + branch + '\n' + window;
}

// True when every workflow has stopped: from then on the pipeline's workflows never change.
bool all_finished(const std::vector<circleci::Workflow>& workflows) {
    if (workflows.empty()) return false;
    for (const auto& w : workflows) {
        if (!w.stopped_at && w.status != circleci::WorkflowStatus::not_run) return false;
        if (w.status == circleci::WorkflowStatus::on_hold || w.status == circleci::WorkflowStatus::running ||
            w.status == circleci::WorkflowStatus::failing)
            return false;
    }
    return true;
}

// One plan run: its state lives here, in the coroutine frame of fetch_project, and every
// task of the plan runs on the same single-threaded executor.
struct Run {
    circleci::Client& api;
    Stores& stores;
    const config::Config& config;
    mapping::ProjectTarget target;
    std::string token;
    circleci::Deadline deadline;

    std::optional<FetchFailure> fatal;
    // The project, fetched once for whichever chain needs it first.
    std::shared_ptr<const circleci::Project> project;
    bool project_started = false;
    bool project_done = false;
    std::optional<asio::steady_timer> project_event;

    std::map<std::string, std::vector<circleci::Workflow>> workflows;  // pipeline id -> all workflows

    ~Run() { wipe(token); }  // the plan's copy of the token lives as long as the run

    void fail(const ApiError& e) {
        if (!fatal) fatal = FetchFailure{failure_kind(e.kind), e.message};
    }

    asio::awaitable<void> ensure_project() {
        if (project_done) co_return;
        if (project_started) {
            boost::system::error_code ec;
            while (!project_done) co_await project_event->async_wait(asio::redirect_error(asio::use_awaitable, ec));
            co_return;
        }
        project_started = true;
        project_event.emplace(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
        if (!(project = stores.projects.get(target.slug))) {
            auto r = co_await api.project(token, target.slug, deadline);
            if (r) {
                project = std::make_shared<const circleci::Project>(std::move(r).value());
                stores.projects.put(target.slug, project);
            } else {
                fail(r.error());
            }
        }
        project_done = true;
        project_event->cancel();
    }

    std::string default_branch() const { return project ? project->vcs_info.default_branch : std::string(); }

    // The first `limit` selected pipelines of a page (for a commit: those that built it).
    std::vector<circleci::Pipeline> select(const circleci::Page<circleci::Pipeline>& page, std::size_t limit) const {
        std::vector<circleci::Pipeline> out;
        for (const auto& p : page.items) {
            if (out.size() >= limit) break;
            if (!pipeline_selected(target, p)) continue;
            if (!target.commit.empty() && (!p.vcs || !p.vcs->revision || !p.vcs->revision->starts_with(target.commit)))
                continue;
            out.push_back(p);
        }
        return out;
    }

    // Workflows of each pipeline, in parallel, from the finished store when possible.
    asio::awaitable<void> fetch_workflows(const std::vector<circleci::Pipeline>& pipelines) {
        std::vector<Task> tasks;
        for (const auto& p : pipelines) {
            if (workflows.contains(p.id)) continue;
            if (auto kept = stores.finished_workflows.get(p.id)) {
                workflows[p.id] = *kept;
                continue;
            }
            workflows[p.id];  // claimed: another chain will not fetch it again
            tasks.push_back([this, id = p.id]() -> asio::awaitable<void> {
                auto r = co_await api.workflows(token, id, deadline);
                if (!r) co_return fail(r.error());
                auto items = std::move(r.value().items);
                if (all_finished(items))
                    stores.finished_workflows.put(id, std::make_shared<const std::vector<circleci::Workflow>>(items));
                workflows[id] = std::move(items);
            });
        }
        co_await when_all(std::move(tasks));
    }

    std::vector<cards::PipelineRun> runs(const std::vector<circleci::Pipeline>& pipelines) const {
        std::vector<cards::PipelineRun> out;
        for (const auto& p : pipelines) {
            auto it = workflows.find(p.id);
            cards::PipelineRun run{p, {}, it != workflows.end()};
            if (run.workflows_known) run.workflows = select_workflows(target, it->second);
            // A service's filter leaves out pipelines that ran none of its workflows.
            if (has_workflow_filter(target) && run.workflows_known && run.workflows.empty() && !it->second.empty())
                continue;
            out.push_back(std::move(run));
        }
        return out;
    }
};

}  // namespace

Stores::Stores(const config::CacheConfig& cfg)
    : finished_workflows(cfg.max_immutable_pipelines),
      projects(kMaxKeptProjects, std::chrono::hours(1)),
      insights(kMaxKeptProjects, std::chrono::seconds(cfg.insights_ttl_s)) {}

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
                                           mapping::ProjectTarget target, std::string token,
                                           circleci::Deadline deadline) {
    FetchResult out;
    if (token.empty()) {
        out.failure = FetchFailure{cards::FailureKind::no_token, ""};
        co_return out;
    }
    Run run{api, stores, config, std::move(target), std::move(token), deadline, {}, {}, false, false, {}, {}};
    if (run.target.slug.empty()) {
        // An organization with `lookup: true`: ask CircleCI which project this repo is.
        const auto& lookup = run.target.lookup;
        if (lookup.empty()) {
            out.failure = FetchFailure{cards::FailureKind::not_found, "the mapping gave no slug"};
            co_return out;
        }
        std::string name_slug = lookup.name_slug;
        auto found = co_await api.project(run.token, name_slug, deadline);
        if (!found) {
            out.failure = FetchFailure{failure_kind(found.error().kind), found.error().message};
            co_return out;
        }
        const auto& p = found.value();
        if (!p.id || !p.organization_id || *p.organization_id != lookup.org_id) {
            out.failure = FetchFailure{cards::FailureKind::not_found,
                                       name_slug + " is not a project of organization " + lookup.org_id};
            co_return out;
        }
        run.target.slug = "circleci/" + lookup.org_id + "/" + *p.id;
        stores.slugs.put(lookup, run.target.slug, mapping::SlugCache::Clock::now());
        stores.projects.put(run.target.slug, std::make_shared<const circleci::Project>(p));
    }
    const auto& cards_cfg = config.cards;
    const auto& t = run.target;
    const bool commit_page = !t.commit.empty();
    const bool want_deploys = !commit_page && cards::card_enabled(t, cards_cfg, "deploys");
    const bool want_insights = !commit_page && cards::card_enabled(t, cards_cfg, "insights");
    // The page's branch, or (empty) the project's default branch.
    const bool on_default = !commit_page && t.branch.empty();

    std::string branch = t.branch;
    std::vector<circleci::Pipeline> branch_pipelines, default_pipelines;
    bool default_is_branch = on_default;
    std::shared_ptr<const cards::InsightsData> insights;

    std::vector<Task> chains;
    // Chain A: the branch (or commit) shown.
    chains.push_back([&]() -> asio::awaitable<void> {
        if (on_default) {
            co_await run.ensure_project();
            if (!run.project) co_return;
            branch = run.default_branch();
        }
        // Arguments as named values: GCC 12 mis-destroys temporaries passed to a coroutine.
        std::string which = commit_page ? std::string() : branch;
        std::string first_page;
        auto page = co_await api.pipelines(run.token, t.slug, which, first_page, deadline);
        if (!page) co_return run.fail(page.error());
        std::size_t limit = commit_page ? kCommitPipelines : cards_cfg.recent_pipelines;
        if (want_deploys && on_default) limit = std::max<std::size_t>(limit, cards_cfg.deploy_scan_pipelines);
        branch_pipelines = run.select(page.value(), limit);
        co_await run.fetch_workflows(branch_pipelines);
    });
    // Chain B: the default branch, for deploys, when the page shows another branch.
    if (want_deploys && !on_default) {
        chains.push_back([&]() -> asio::awaitable<void> {
            co_await run.ensure_project();
            if (!run.project) co_return;
            if (run.default_branch() == t.branch) {
                default_is_branch = true;
                co_return;
            }
            std::string which = run.default_branch();
            std::string first_page;
            auto page = co_await api.pipelines(run.token, t.slug, which, first_page, deadline);
            if (!page) co_return run.fail(page.error());
            default_pipelines = run.select(page.value(), cards_cfg.deploy_scan_pipelines);
            co_await run.fetch_workflows(default_pipelines);
        });
    }
    // Chain C: insights and their trends, which CircleCI refreshes daily. Not fatal.
    if (want_insights) {
        const auto key = insights_key(t.slug, t.branch, cards_cfg.reporting_window);
        insights = stores.insights.get(key);
        if (!insights) {
            chains.push_back([&, key]() -> asio::awaitable<void> {
                auto data = std::make_shared<cards::InsightsData>();
                bool ok = false;
                std::vector<Task> parts;
                parts.push_back([&]() -> asio::awaitable<void> {
                    auto m = co_await api.workflow_metrics(run.token, t.slug, t.branch, cards_cfg.reporting_window, deadline);
                    if (m) {
                        data->workflows = std::move(m.value().items);
                        ok = true;
                    }
                });
                parts.push_back([&]() -> asio::awaitable<void> {
                    std::vector<std::string> branches;
                    if (!t.branch.empty()) branches.push_back(t.branch);
                    auto s = co_await api.pages_summary(run.token, t.slug, cards_cfg.reporting_window, branches, deadline);
                    if (s) data->summary = std::move(s).value();
                });
                co_await when_all(std::move(parts));
                if (!ok) co_return;
                insights = data;
                run.stores.insights.put(key, data);
            });
        }
    }
    co_await when_all(std::move(chains));
    if (run.fatal) {
        out.failure = std::move(run.fatal);
        co_return out;
    }

    cards::ProjectSnapshot snap;
    snap.target = run.target;
    snap.branch = commit_page ? std::string() : branch;
    snap.branch_is_default = !commit_page && (on_default || branch == run.default_branch());
    if (run.project) snap.project = *run.project;
    snap.pipelines = run.runs(branch_pipelines);
    // On the default branch chain A looked as far back as deploys need; the recent-pipelines
    // card shows only its first entries.
    snap.default_pipelines = default_is_branch ? snap.pipelines : run.runs(default_pipelines);
    if (insights) {
        cards::InsightsData data = *insights;
        std::erase_if(data.workflows, [&](const circleci::WorkflowMetrics& w) {
            return has_workflow_filter(run.target) &&
                   !std::any_of(run.target.workflows.begin(), run.target.workflows.end(),
                                [&](const std::string& p) { return glob_match(p, w.name); });
        });
        snap.insights = std::move(data);
    }
    if (run.project && run.project->vcs_info.vcs_url.starts_with("https://")) {
        snap.repo_web_url = run.project->vcs_info.vcs_url;
    } else if (!branch_pipelines.empty() && branch_pipelines.front().vcs &&
               branch_pipelines.front().vcs->origin_repository_url) {
        snap.repo_web_url = *branch_pipelines.front().vcs->origin_repository_url;
    }
    out.snapshot = std::move(snap);
    co_return out;
}

}  // namespace tjc::plan
