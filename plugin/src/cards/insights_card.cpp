// Card 4: workflow insights over the reporting window, with trends where CircleCI gives them.
#include "cards/app_links.hpp"
#include "cards/error_card.hpp"
#include "cards/format.hpp"
#include "cards/render.hpp"

#include <algorithm>
#include <cstdio>

namespace tjc::cards {

namespace {

const WorkflowTrend* trend_of(const InsightsData& data, const std::string& name) {
    for (const auto& t : data.trends) {
        if (t.workflow == name) {
            return &t;
        }
    }
    return nullptr;
}

std::string window_label(std::string_view window) {
    if (window == "last-24-hours") {
        return "24h";
    }
    if (window.starts_with("last-") && window.ends_with("-days")) {
        return std::string(window.substr(5, window.size() - 10)) + "d";
    }
    return std::string(window);
}

}  // namespace

std::optional<Card> insights_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    if (snap.insights_failure) {
        // Said when passing trouble kept them away; a project or plan without insights (403,
        // 404) simply has no insights card.
        const auto k = snap.insights_failure->kind;
        if (k == FailureKind::not_found || k == FailureKind::forbidden || k == FailureKind::token_rejected) {
            return std::nullopt;
        }
        return part_failure_card("Insights", "the insights", *snap.insights_failure, snap.target, ctx.app_url);
    }
    if (!snap.insights || snap.insights->workflows.empty()) {
        return std::nullopt;
    }
    const AppLinks links(ctx.app_url, snap.target.slug);
    const auto& settings = *ctx.settings;
    Card card;
    card.type = Card::Type::dropdown;
    card.icon = "circleci";
    std::int64_t runs = 0, successes = 0;
    std::size_t below = 0;
    for (const auto& w : snap.insights->workflows) {
        const auto& m = w.metrics;
        runs += m.total_runs;
        successes += m.successful_runs.value_or(static_cast<std::int64_t>(m.success_rate * m.total_runs + 0.5));
        const bool low = m.total_runs > 0 && m.success_rate < settings.success_threshold;
        below += low ? 1 : 0;
        std::string text = w.name + ": " + percent(m.success_rate);
        if (const auto* t = trend_of(*snap.insights, w.name)) {
            text += " (" + trend(t->success_rate) + ")";
        }
        const auto& d = m.duration_metrics;
        if (d.median) {
            text += " \u00b7 median " + duration(std::chrono::seconds(*d.median));
        }
        if (d.p95) {
            text += " \u00b7 p95 " + duration(std::chrono::seconds(*d.p95));
        }
        std::string tip = count(static_cast<std::size_t>(std::max<std::int64_t>(m.total_runs, 0)), "run", "runs");
        if (m.throughput) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.1f", *m.throughput);
            tip += ", " + std::string(buf) + " per day";
        }
        if (m.mttr) {
            tip += ", MTTR " + duration(std::chrono::seconds(*m.mttr));
        }
        if (m.failed_runs) {
            tip += ", " + std::to_string(*m.failed_runs) + " failed";
        }
        if (low) {
            tip += "\nBelow the " + percent(settings.success_threshold) + " success threshold";
        }
        card.items.push_back({std::move(text), links.insights_workflow(w.name, snap.branch, settings.reporting_window),
                              low ? Status::important : Status::success, "circleci", clip(tip, kMaxTooltip)});
    }
    const double rate = runs > 0 ? static_cast<double>(successes) / static_cast<double>(runs) : 0.0;
    card.content = "Insights " + window_label(settings.reporting_window) + ": " + percent(rate) + " success";
    card.status = below ? Status::important : Status::none;
    card.tooltip = clip(count(static_cast<std::size_t>(std::max<std::int64_t>(runs, 0)), "run", "runs") + " of " +
                            count(snap.insights->workflows.size(), "workflow", "workflows") +
                            (snap.branch.empty() ? "" : " on " + snap.branch) +
                            (below ? "; " + std::to_string(below) + " below the threshold" : "") +
                            ". Insights are refreshed daily and may miss the last 24 hours.",
                        kMaxTooltip);
    // Dashboard link last, so the card always leads to the full page.
    card.items.push_back({"All insights", links.insights(), Status::none, "link", ""});
    return card;
}

}  // namespace tjc::cards
