// Cards 1, 2 and 6: the branch's status, a commit's pipelines, and workflows waiting for
// approval.
#include "cards/app_links.hpp"
#include "cards/error_card.hpp"
#include "cards/format.hpp"
#include "cards/outcome.hpp"
#include "cards/pipeline_text.hpp"
#include "cards/render.hpp"

#include <algorithm>

namespace tjc::cards {

namespace {

std::string elapsed(circleci::Timestamp now, circleci::Timestamp then) {
    return age(std::chrono::duration_cast<std::chrono::milliseconds>(now - then));
}

// Why the default branch is shown on a page that is about something else, or "".
std::string default_branch_note(const ProjectSnapshot& snap) {
    if (!snap.branch_is_default) {
        return "";
    }
    const auto& t = snap.target;
    if (!t.pull.empty()) {
        return "On PR #" + t.pull + ": this is the default branch " + snap.branch +
               ", not the pull request's own pipelines.";
    }
    const auto& candidates = t.branch_candidates;
    if (!candidates.empty() && std::find(candidates.begin(), candidates.end(), snap.branch) == candidates.end()) {
        return "CircleCI has no pipelines of the branch this page shows (" + candidates.front() +
               "): this is the default branch " + snap.branch + ".";
    }
    return "";
}

// "main", or "main (default branch)" when the page is about a PR or another branch.
std::string branch_label(const ProjectSnapshot& snap) {
    if (!snap.target.pull.empty() && snap.branch_is_default) {
        return snap.branch + " (default branch, PR #" + snap.target.pull + ")";
    }
    return default_branch_note(snap).empty() ? snap.branch : snap.branch + " (default branch)";
}

// The lines above a pipeline's own: why this branch, who owns it.
std::string context_lines(const ProjectSnapshot& snap) {
    std::string out;
    if (auto note = default_branch_note(snap); !note.empty()) {
        out += "\n" + note;
    }
    if (!snap.target.team.empty()) {
        out += "\nTeam: " + snap.target.team;
    }
    return out;
}

}  // namespace

std::optional<Card> branch_status_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    if (snap.branch.empty()) {
        return std::nullopt;  // commit pages have the commit card
    }
    if (snap.pipelines_failure) {
        return part_failure_card("CircleCI " + snap.branch, "the pipelines of " + snap.branch, *snap.pipelines_failure,
                                 snap.target, ctx.app_url);
    }
    const AppLinks links(ctx.app_url, snap.target.slug);
    const auto label = branch_label(snap);
    Card card;
    card.type = Card::Type::link;
    card.icon = "circleci";
    if (snap.pipelines.empty()) {
        card.content = "CircleCI " + label + ": no pipelines";
        card.href = links.dashboard();
        card.tooltip =
            clip("No pipelines on " + snap.branch + " in " + snap.target.slug +
                     (snap.target.service.empty() ? "" : " for service " + snap.target.service) + context_lines(snap),
                 kMaxTooltip);
        return card;
    }
    const auto& head = snap.pipelines.front();
    const auto o = outcome_of(head);
    card.href = links.pipeline(head.pipeline.number);
    card.status = status_of(o);
    const auto when = finished_at(head).value_or(head.pipeline.created_at);
    card.content = "CircleCI " + label + ": " + std::string(to_string(o)) + " " + elapsed(ctx.now, when);
    std::string head_line = "#" + std::to_string(head.pipeline.number) + " on " + snap.branch +
                            (snap.branch_is_default ? " (default branch)" : "") + ": " + std::string(to_string(o));
    const auto streak = failure_streak(snap.pipelines);
    if (streak.pipelines >= 2 && streak.since) {
        card.content = "CircleCI " + label + ": failing for " + std::to_string(streak.pipelines) + " pipelines / " +
                       span(std::chrono::duration_cast<std::chrono::milliseconds>(ctx.now - *streak.since));
        head_line += ", " + std::to_string(streak.pipelines) + " failed pipelines in a row";
    }
    card.tooltip = pipeline_tooltip(head, head_line + context_lines(snap));
    return card;
}

std::optional<Card> commit_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    const auto& sha = snap.target.commit;
    if (sha.empty()) {
        return std::nullopt;
    }
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
    card.content += " (" + count(snap.pipelines.size(), "pipeline", "pipelines") + ")";
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
            if (w.status != circleci::WorkflowStatus::on_hold) {
                continue;
            }
            Card card;
            card.type = Card::Type::link;
            card.icon = "circleci";
            card.status = Status::relevant;
            card.content = "Waiting for approval: " + w.name;
            card.href = links.workflow(run.pipeline.number, w.id);
            card.tooltip = clip("Workflow " + w.name + " of pipeline #" + std::to_string(run.pipeline.number) +
                                    " has been on hold for " +
                                    span(std::chrono::duration_cast<std::chrono::milliseconds>(ctx.now - w.created_at)),
                                kMaxTooltip);
            return card;
        }
        // Only the newest pipelines matter: an old hold was superseded.
        if (is_finished(outcome_of(run))) {
            break;
        }
    }
    return std::nullopt;
}

}  // namespace tjc::cards

namespace tjc::cards {

std::optional<Card> pull_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    if (snap.target.pull.empty() || snap.pull_pipelines.empty()) {
        return std::nullopt;
    }
    const AppLinks links(ctx.app_url, snap.target.slug);
    const auto& head = snap.pull_pipelines.front();
    const auto o = outcome_of(head);
    Card card;
    card.type = Card::Type::link;
    card.icon = "circleci";
    card.status = status_of(o);
    card.href = links.pipeline(head.pipeline.number);
    const auto when = finished_at(head).value_or(head.pipeline.created_at);
    card.content = "CircleCI PR #" + snap.target.pull + ": " + std::string(to_string(o)) + " " + elapsed(ctx.now, when);
    std::string head_line = "#" + std::to_string(head.pipeline.number) + " of PR #" + snap.target.pull;
    if (head.pipeline.vcs && head.pipeline.vcs->branch) {
        head_line += " (" + *head.pipeline.vcs->branch + ")";
    }
    head_line += ": " + std::string(to_string(o));
    if (snap.pull_pipelines.size() > 1) {
        head_line += "; " + count(snap.pull_pipelines.size(), "pipeline", "pipelines") + " of this PR among the newest";
    }
    card.tooltip = pipeline_tooltip(head, head_line);
    return card;
}

}  // namespace tjc::cards
