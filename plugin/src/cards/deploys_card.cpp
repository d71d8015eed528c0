// Card 5: per environment, the last successful deploy workflow on the default branch, found
// by naming convention (deploy-{service}-{env}, deploy-{env}, configurable).
#include "cards/app_links.hpp"
#include "cards/format.hpp"
#include "cards/render.hpp"

#include <map>
#include <regex>

namespace tjc::cards {

namespace {

std::string regex_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

// Pattern -> regex with groups for {service} (when not fixed) and {env}.
struct Compiled {
    std::regex re;
    int service_group = 0;
    int env_group = 0;
};

Compiled compile(std::string_view pattern, std::string_view service) {
    Compiled c;
    std::string re = "^";
    int group = 0;
    std::size_t i = 0;
    while (i < pattern.size()) {
        if (pattern.substr(i).starts_with("{service}")) {
            if (service.empty()) {
                re += "(.+)";
                c.service_group = ++group;
            } else {
                re += regex_escape(service);
            }
            i += 9;
        } else if (pattern.substr(i).starts_with("{env}")) {
            // One word: "deploy-checkout-prod" is not an environment "checkout-prod" of
            // another service, and a {service} before it may itself hold hyphens.
            re += "([A-Za-z0-9_.]+)";
            c.env_group = ++group;
            i += 5;
        } else {
            re += regex_escape(pattern.substr(i, 1));
            ++i;
        }
    }
    c.re = std::regex(re + "$", std::regex::ECMAScript | std::regex::icase);
    return c;
}

}  // namespace

std::optional<std::string> deploy_env(std::string_view workflow_name, const std::vector<std::string>& patterns,
                                      std::string_view service) {
    const std::string name(workflow_name);
    for (const auto& p : patterns) {
        // Without a service tag a {service} pattern still matches, and the label keeps it.
        const auto c = compile(p, service);
        std::smatch m;
        if (!std::regex_match(name, m, c.re) || c.env_group == 0) continue;
        std::string env = m[c.env_group].str();
        if (c.service_group) env = m[c.service_group].str() + " " + env;
        return env;
    }
    return std::nullopt;
}

std::optional<Card> deploys_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
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
