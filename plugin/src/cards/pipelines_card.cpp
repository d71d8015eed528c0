// Card 3: the branch's recent pipelines as a dropdown.
#include "cards/app_links.hpp"
#include "cards/format.hpp"
#include "cards/outcome.hpp"
#include "cards/render.hpp"

namespace tjc::cards {

std::optional<Card> recent_pipelines_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    if (snap.pipelines.empty() || snap.branch.empty()) return std::nullopt;
    const AppLinks links(ctx.app_url, snap.target.slug);
    Card card;
    card.type = Card::Type::dropdown;
    card.icon = "circleci";
    card.content = "Recent pipelines (" + snap.branch + ")";
    std::size_t failed = 0;
    const std::size_t n = std::min<std::size_t>(snap.pipelines.size(), ctx.settings->recent_pipelines);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& run = snap.pipelines[i];
        const auto o = outcome_of(run);
        if (status_of(o) == Status::important) ++failed;
        std::string text = "#" + std::to_string(run.pipeline.number) + " " + std::string(to_string(o));
        if (auto d = run_duration(run)) text += " \u00b7 " + duration(*d);
        text += " \u00b7 " + age(std::chrono::duration_cast<std::chrono::milliseconds>(ctx.now - run.pipeline.created_at));
        std::string tip;
        if (run.pipeline.vcs && run.pipeline.vcs->commit_subject) {
            text += " \u00b7 " + subject(*run.pipeline.vcs->commit_subject, 40);
            tip = subject(*run.pipeline.vcs->commit_subject, 200);
        }
        for (const auto& w : run.workflows) tip += (tip.empty() ? "" : "\n") + w.name + ": " + std::string(circleci::to_string(w.status));
        if (run.pipeline.trigger.actor_login) tip += (tip.empty() ? "" : "\n") + ("by " + *run.pipeline.trigger.actor_login);
        // A single workflow: link straight to it; otherwise to the pipeline.
        const auto href = run.workflows.size() == 1 ? links.workflow(run.pipeline.number, run.workflows.front().id)
                                                    : links.pipeline(run.pipeline.number);
        card.items.push_back({std::move(text), href, status_of(o), "circleci", clip(tip, kMaxTooltip)});
    }
    card.tooltip = std::to_string(n) + " most recent pipelines on " + snap.branch +
                   (failed ? ", " + std::to_string(failed) + " failed" : ", none failed");
    return card;
}

}  // namespace tjc::cards
