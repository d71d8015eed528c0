// Card 5: per environment, the last successful deploy workflow on the default branch, found
// by naming convention (deploy-{service}-{env}, deploy-{env}, configurable).
#include "cards/app_links.hpp"
#include "cards/error_card.hpp"
#include "cards/format.hpp"
#include "cards/render.hpp"

#include "util/ascii.hpp"

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
    if (p.empty()) {
        return n.empty();
    }
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
            if (n.size() < service.size() || !std::equal(service.begin(), service.end(), n.begin(), same_letter)) {
                return false;
            }
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
        if (!match(p, workflow_name, service, env, svc) || env.empty()) {
            continue;
        }
        // Without a service tag the label keeps the service the name gave.
        return svc.empty() ? env : svc + " " + env;
    }
    return std::nullopt;
}

namespace {

// The newest successful deploy of each environment on the default branch, newest first.
struct Deploy {
    std::string env;  // the label deploy_env gives: "prod", or "webshop prod" without a service
    const PipelineRun* run;
    const circleci::Workflow* workflow;
    std::size_t newer_pipelines;  // default-branch pipelines that ran since
};

std::vector<Deploy> last_deploys(const ProjectSnapshot& snap, const RenderContext& ctx) {
    std::vector<Deploy> out;
    for (std::size_t i = 0; i < snap.default_pipelines.size(); ++i) {
        const auto& run = snap.default_pipelines[i];
        for (const auto& w : run.workflows) {
            if (w.status != circleci::WorkflowStatus::success) {
                continue;
            }
            auto env = deploy_env(w.name, ctx.settings->deploy_patterns, snap.target.service);
            if (!env || std::any_of(out.begin(), out.end(), [&](const Deploy& d) { return d.env == *env; })) {
                continue;
            }
            out.push_back({*env, &run, &w, i});
        }
    }
    return out;
}

std::string sha_of(const Deploy& d) {
    return d.run->pipeline.vcs && d.run->pipeline.vcs->revision ? *d.run->pipeline.vcs->revision : std::string();
}

std::string deployed_ago(const Deploy& d, const RenderContext& ctx) {
    const auto when = d.workflow->stopped_at.value_or(d.workflow->created_at);
    return age(std::chrono::duration_cast<std::chrono::milliseconds>(ctx.now - when));
}

std::string since_text(const Deploy& d) {
    const auto n = d.newer_pipelines;
    return n > 0 ? std::to_string(n) + " pipeline" + (n == 1 ? "" : "s") + " ran on the default branch since"
                 : "the newest pipeline on the default branch";
}

// "prod" of "webshop prod", compared without case.
bool is_env(const std::string& label, const std::string& env) {
    const auto last = label.substr(label.rfind(' ') + 1);
    return last.size() == env.size() && std::equal(last.begin(), last.end(), env.begin(),
                                                   [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
}

}  // namespace

std::optional<Card> deploys_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    if (snap.default_failure) {
        return part_failure_card("Deploys", "the default branch's pipelines", *snap.default_failure, snap.target,
                                 ctx.app_url);
    }
    const auto deploys = last_deploys(snap, ctx);
    if (deploys.empty()) {
        return std::nullopt;
    }
    const AppLinks links(ctx.app_url, snap.target.slug);
    Card card;
    card.type = Card::Type::dropdown;
    card.icon = "circleci";
    std::string tip;
    for (const auto& d : deploys) {
        const auto sha = sha_of(d);
        std::string text = d.env + ": deployed " + deployed_ago(d, ctx);
        if (!sha.empty()) {
            text += " (" + short_sha(sha) + ")";
        }
        const std::string item_tip =
            d.workflow->name + " in pipeline #" + std::to_string(d.run->pipeline.number) + "; " + since_text(d);
        tip += (tip.empty() ? "" : "\n") + text;
        card.items.push_back({text, links.workflow(d.run->pipeline.number, d.workflow->id), Status::success, "circleci",
                              clip(item_tip, kMaxTooltip)});
        if (!sha.empty() && !snap.repo_web_url.empty()) {
            card.items.push_back({d.env + ": code at " + short_sha(sha), snap.repo_web_url + "/tree/" + sha,
                                  Status::none, "github", ""});
        }
    }
    card.content = "Deploys: " + deploys.front().env + " " + deployed_ago(deploys.front(), ctx);
    if (deploys.size() > 1) {
        card.content += " +" + std::to_string(deploys.size() - 1);
    }
    card.tooltip = clip(tip, kMaxTooltip);
    return card;
}

std::optional<Card> deployed_env_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    const auto& t = snap.target;
    if (t.repository_page || t.env.empty()) {
        return std::nullopt;
    }
    const std::string who = t.service.empty() ? t.env : t.service + " " + t.env;
    if (snap.default_failure) {
        return part_failure_card("CircleCI " + who, "the default branch's pipelines", *snap.default_failure, t,
                                 ctx.app_url);
    }
    const AppLinks links(ctx.app_url, t.slug);
    Card card;
    card.type = Card::Type::link;
    card.icon = "circleci";
    const auto deploys = last_deploys(snap, ctx);
    const auto it = std::find_if(deploys.begin(), deploys.end(), [&](const Deploy& d) { return is_env(d.env, t.env); });
    if (it == deploys.end()) {
        card.content = "CircleCI " + who + ": no deploy found";
        card.href = links.dashboard();
        std::string patterns;
        for (const auto& p : ctx.settings->deploy_patterns) {
            patterns += (patterns.empty() ? "" : ", ") + p;
        }
        card.tooltip = clip("No successful deploy to " + t.env + " (" + patterns + ") among the last " +
                                count(snap.default_pipelines.size(), "pipeline", "pipelines") +
                                " of the default branch of " + t.slug,
                            kMaxTooltip);
        return card;
    }
    const auto sha = sha_of(*it);
    card.status = Status::success;
    card.content = "CircleCI " + who + ": " + (sha.empty() ? std::string("deployed") : short_sha(sha)) + " " +
                   deployed_ago(*it, ctx);
    card.href = links.workflow(it->run->pipeline.number, it->workflow->id);
    std::string tip = "Deployed to " + t.env + " by " + it->workflow->name + " in pipeline #" +
                      std::to_string(it->run->pipeline.number) + " (" + since_text(*it) + ")";
    if (!sha.empty()) {
        tip += "\nCommit " + short_sha(sha);
    }
    if (it->run->pipeline.vcs && it->run->pipeline.vcs->commit_subject) {
        tip += ": " + subject(*it->run->pipeline.vcs->commit_subject, 120);
    }
    card.tooltip = clip(tip, kMaxTooltip);
    return card;
}

}  // namespace tjc::cards
