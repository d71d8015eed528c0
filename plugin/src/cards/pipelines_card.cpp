// Card 3: the branch's recent pipelines as a dropdown.
#include "cards/app_links.hpp"
#include "cards/format.hpp"
#include "cards/outcome.hpp"
#include "cards/pipeline_text.hpp"
#include "cards/render.hpp"

namespace tjc::cards {

namespace {

// "The 5 most recent pipelines on main: 2 failed" / "The most recent pipeline on main: not failed".
std::string summary(std::size_t n, std::size_t failed, const std::string& branch) {
    if (n == 1) {
        return "The most recent pipeline on " + branch + (failed ? ": failed" : ": not failed");
    }
    return "The " + std::to_string(n) + " most recent pipelines on " + branch + ": " +
           (failed ? std::to_string(failed) + " failed" : std::string("none failed"));
}

Item pipeline_item(const PipelineRun& run, const AppLinks& links, circleci::Timestamp now) {
    const auto o = outcome_of(run);
    std::string text = "#" + std::to_string(run.pipeline.number) + " " + std::string(to_string(o));
    if (auto d = run_duration(run)) {
        text += " \u00b7 " + duration(*d);
    }
    text += " \u00b7 " + age(std::chrono::duration_cast<std::chrono::milliseconds>(now - run.pipeline.created_at));
    if (run.pipeline.vcs && run.pipeline.vcs->commit_subject) {
        text += " \u00b7 " + subject(*run.pipeline.vcs->commit_subject, 40);
    }
    // A single workflow: link straight to it; otherwise to the pipeline.
    const auto href = run.workflows.size() == 1 ? links.workflow(run.pipeline.number, run.workflows.front().id)
                                                : links.pipeline(run.pipeline.number);
    auto tip = pipeline_tooltip(run, "");
    if (tip.empty()) {
        tip = "#" + std::to_string(run.pipeline.number) + ": " + std::string(to_string(o));
    }
    return {std::move(text), href, status_of(o), "circleci", std::move(tip)};
}

}  // namespace

std::optional<Card> recent_pipelines_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    if (snap.pipelines.empty() || snap.branch.empty()) {
        return std::nullopt;
    }
    const AppLinks links(ctx.app_url, snap.target.slug);
    Card card;
    card.type = Card::Type::dropdown;
    card.icon = "circleci";
    card.content = "Recent pipelines (" + snap.branch + ")";
    std::size_t failed = 0;
    const std::size_t n = std::min<std::size_t>(snap.pipelines.size(), ctx.settings->recent_pipelines);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& run = snap.pipelines[i];
        if (status_of(outcome_of(run)) == Status::important) {
            ++failed;
        }
        card.items.push_back(pipeline_item(run, links, ctx.now));
    }
    card.tooltip = summary(n, failed, snap.branch);
    return card;
}

}  // namespace tjc::cards
