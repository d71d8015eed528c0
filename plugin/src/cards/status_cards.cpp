// Cards 1, 2 and 6: the branch's status, a commit's pipelines, and workflows waiting for
// approval.
#include "cards/app_links.hpp"
#include "cards/error_card.hpp"
#include "cards/format.hpp"
#include "cards/outcome.hpp"
#include "cards/render.hpp"

namespace tjc::cards {

namespace {

std::string workflow_lines(const PipelineRun& run) {
    std::string out;
    for (const auto& w : run.workflows) {
        out += "\n" + w.name + ": " + std::string(circleci::to_string(w.status));
    }
    return out;
}

std::string pipeline_tooltip(const PipelineRun& run, std::string_view head) {
    std::string tip(head);
    tip += workflow_lines(run);
    const auto& p = run.pipeline;
    if (p.vcs && p.vcs->commit_subject) tip += "\n" + subject(*p.vcs->commit_subject, 120);
    if (p.vcs && p.vcs->revision) tip += "\n" + short_sha(*p.vcs->revision);
    if (p.trigger.actor_login) tip += " by " + *p.trigger.actor_login;
    if (run.workflows_failure) {
        tip += "\nIts workflows could not be read (" + std::string(to_string(run.workflows_failure->kind)) +
               (run.workflows_failure->detail.empty() ? "" : ": " + run.workflows_failure->detail) + ")";
    }
    return clip(tip, kMaxTooltip);
}

std::string elapsed(circleci::Timestamp now, circleci::Timestamp then) {
    return age(std::chrono::duration_cast<std::chrono::milliseconds>(now - then));
}

}  // namespace

std::optional<Card> branch_status_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    if (snap.branch.empty()) return std::nullopt;  // commit pages have the commit card
    if (snap.pipelines_failure) {
        return part_failure_card("CircleCI " + snap.branch, "the pipelines of " + snap.branch, *snap.pipelines_failure,
                                 snap.target, ctx.app_url);
    }
    const AppLinks links(ctx.app_url, snap.target.slug);
    Card card;
    card.type = Card::Type::link;
    card.icon = "circleci";
    if (snap.pipelines.empty()) {
        card.content = "CircleCI " + snap.branch + ": no pipelines";
        card.href = links.dashboard();
        card.tooltip = clip("No pipelines on " + snap.branch + " in " + snap.target.slug +
                                (snap.target.service.empty() ? "" : " for service " + snap.target.service),
                            kMaxTooltip);
        return card;
    }
    const auto& head = snap.pipelines.front();
    const auto o = outcome_of(head);
    card.href = links.pipeline(head.pipeline.number);
    card.status = status_of(o);
    const auto when = finished_at(head).value_or(head.pipeline.created_at);
    card.content = "CircleCI " + snap.branch + ": " + std::string(to_string(o)) + " " + elapsed(ctx.now, when);
    std::string head_line = "#" + std::to_string(head.pipeline.number) + " on " + snap.branch +
                            (snap.branch_is_default ? " (default branch)" : "") + ": " + std::string(to_string(o));
    const auto streak = failure_streak(snap.pipelines);
    if (streak.pipelines >= 2 && streak.since) {
        card.content = "CircleCI " + snap.branch + ": failing since " + std::to_string(streak.pipelines) +
                       " pipelines / " + span(std::chrono::duration_cast<std::chrono::milliseconds>(ctx.now - *streak.since));
        head_line += ", " + std::to_string(streak.pipelines) + " failed pipelines in a row";
    }
    card.tooltip = pipeline_tooltip(head, head_line);
    return card;
}

std::optional<Card> commit_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    const auto& sha = snap.target.commit;
    if (sha.empty()) return std::nullopt;
    if (snap.pipelines_failure) {
        return part_failure_card("CircleCI " + short_sha(sha), "the pipelines", *snap.pipelines_failure, snap.target,
                                 ctx.app_url);
    }
    const AppLinks links(ctx.app_url, snap.target.slug);
    Card card;
    card.icon = "circleci";
    if (snap.pipelines.empty()) {
        card.type = Card::Type::link;
        card.href = links.dashboard();
        card.content = "CircleCI " + short_sha(sha) + ": no pipeline";
        card.tooltip = "No recent pipeline of " + snap.target.slug + " built " + short_sha(sha);
        return card;
    }
    const auto& head = snap.pipelines.front();
    const auto o = outcome_of(head);
    card.status = status_of(o);
    card.content = "CircleCI " + short_sha(sha) + ": " + std::string(to_string(o));
    if (snap.pipelines.size() == 1) {
        card.type = Card::Type::link;
        card.href = links.pipeline(head.pipeline.number);
        card.tooltip = pipeline_tooltip(head, "#" + std::to_string(head.pipeline.number) + " built " + short_sha(sha));
        return card;
    }
    card.type = Card::Type::dropdown;
    card.content += " (" + std::to_string(snap.pipelines.size()) + " pipelines)";
    for (const auto& run : snap.pipelines) {
        const auto ro = outcome_of(run);
        card.items.push_back({"#" + std::to_string(run.pipeline.number) + " " + std::string(to_string(ro)) + " " +
                                  elapsed(ctx.now, run.pipeline.created_at),
                              links.pipeline(run.pipeline.number), status_of(ro), "circleci",
                              pipeline_tooltip(run, "#" + std::to_string(run.pipeline.number))});
    }
    return card;
}

std::optional<Card> approval_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    const AppLinks links(ctx.app_url, snap.target.slug);
    for (const auto& run : snap.pipelines) {
        for (const auto& w : run.workflows) {
            if (w.status != circleci::WorkflowStatus::on_hold) continue;
            Card card;
            card.type = Card::Type::link;
            card.icon = "circleci";
            card.status = Status::relevant;
            card.content = "Waiting for approval: " + w.name;
            card.href = links.workflow(run.pipeline.number, w.id);
            card.tooltip = clip("Workflow " + w.name + " of pipeline #" + std::to_string(run.pipeline.number) +
                                    " is on hold since " + elapsed(ctx.now, w.created_at),
                                kMaxTooltip);
            return card;
        }
        // Only the newest pipelines matter: an old hold was superseded.
        if (is_finished(outcome_of(run))) break;
    }
    return std::nullopt;
}

}  // namespace tjc::cards
