// Card 5: per environment, the last successful deploy workflow on the default branch, found
// by naming convention (deploy-{service}-{env}, deploy-{env}, configurable).
#include "cards/app_links.hpp"
#include "cards/error_card.hpp"
#include "cards/format.hpp"
#include "cards/render.hpp"

#include <map>
#include <algorithm>

namespace tjc::cards {

namespace {

bool env_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

bool same_letter(char a, char b) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(a) == lower(b);
}

// Matches name against a pattern of literals, {service} and {env}, without case. {env} is one
// word ([A-Za-z0-9_.]+): "deploy-checkout-prod" is not environment "checkout-prod" of another
// service. {service} is the given service, or (none given) any non-empty run, captured.
// Backtracking is bounded by the few placeholders a pattern has.
bool match(std::string_view p, std::string_view n, std::string_view service, std::string& env, std::string& svc) {
    if (p.empty()) return n.empty();
    if (p.starts_with("{env}")) {
        for (std::size_t len = 1; len <= n.size() && env_char(n[len - 1]); ++len) {
            if (match(p.substr(5), n.substr(len), service, env, svc)) {
                env = std::string(n.substr(0, len));
                return true;
            }
        }
        return false;
    }
    if (p.starts_with("{service}")) {
        if (!service.empty()) {
            if (n.size() < service.size() || !std::equal(service.begin(), service.end(), n.begin(), same_letter)) return false;
            return match(p.substr(9), n.substr(service.size()), service, env, svc);
        }
        for (std::size_t len = n.size(); len >= 1; --len) {  // longest first: services may hold '-'
            if (match(p.substr(9), n.substr(len), service, env, svc)) {
                svc = std::string(n.substr(0, len));
                return true;
            }
        }
        return false;
    }
    return !n.empty() && same_letter(p.front(), n.front()) && match(p.substr(1), n.substr(1), service, env, svc);
}

}  // namespace

std::optional<std::string> deploy_env(std::string_view workflow_name, const std::vector<std::string>& patterns,
                                      std::string_view service) {
    for (const auto& p : patterns) {
        std::string env, svc;
        if (!match(p, workflow_name, service, env, svc) || env.empty()) continue;
        // Without a service tag the label keeps the service the name gave.
        return svc.empty() ? env : svc + " " + env;
    }
    return std::nullopt;
}

std::optional<Card> deploys_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    if (snap.default_failure) {
        return part_failure_card("Deploys", "the default branch's pipelines", *snap.default_failure, snap.target,
                                 ctx.app_url);
    }
    struct Deploy {
        const PipelineRun* run;
        const circleci::Workflow* workflow;
        std::size_t newer_pipelines;
    };
    std::map<std::string, Deploy> last;  // env -> newest successful deploy
    std::vector<std::string> order;
    for (std::size_t i = 0; i < snap.default_pipelines.size(); ++i) {
        const auto& run = snap.default_pipelines[i];
        for (const auto& w : run.workflows) {
            if (w.status != circleci::WorkflowStatus::success) continue;
            auto env = deploy_env(w.name, ctx.settings->deploy_patterns, snap.target.service);
            if (!env || last.contains(*env)) continue;
            last.emplace(*env, Deploy{&run, &w, i});
            order.push_back(*env);
        }
    }
    if (last.empty()) return std::nullopt;
    const AppLinks links(ctx.app_url, snap.target.slug);
    Card card;
    card.type = Card::Type::dropdown;
    card.icon = "circleci";
    std::string tip;
    for (const auto& env : order) {
        const auto& d = last.at(env);
        const auto when = d.workflow->stopped_at.value_or(d.workflow->created_at);
        const auto sha = d.run->pipeline.vcs && d.run->pipeline.vcs->revision ? *d.run->pipeline.vcs->revision : std::string();
        std::string text = env + ": deployed " + age(std::chrono::duration_cast<std::chrono::milliseconds>(ctx.now - when));
        if (!sha.empty()) text += " (" + short_sha(sha) + ")";
        std::string item_tip = d.workflow->name + " in pipeline #" + std::to_string(d.run->pipeline.number);
        if (d.newer_pipelines > 0) {
            item_tip += "; " + std::to_string(d.newer_pipelines) + " pipeline" + (d.newer_pipelines == 1 ? "" : "s") +
                        " ran on the default branch since";
        } else {
            item_tip += "; the newest pipeline on the default branch";
        }
        tip += (tip.empty() ? "" : "\n") + text;
        card.items.push_back({text, links.workflow(d.run->pipeline.number, d.workflow->id), Status::success, "circleci",
                              clip(item_tip, kMaxTooltip)});
        if (!sha.empty() && !snap.repo_web_url.empty()) {
            card.items.push_back({env + ": code at " + short_sha(sha), snap.repo_web_url + "/tree/" + sha, Status::none,
                                  "github", ""});
        }
    }
    const auto& first = last.at(order.front());
    card.content = "Deploys: " + order.front() + " " +
                   age(std::chrono::duration_cast<std::chrono::milliseconds>(
                       ctx.now - first.workflow->stopped_at.value_or(first.workflow->created_at)));
    if (order.size() > 1) card.content += " +" + std::to_string(order.size() - 1);
    card.tooltip = clip(tip, kMaxTooltip);
    return card;
}

}  // namespace tjc::cards
