#include "cards/render.hpp"

#include "cards/project_links.hpp"

#include <algorithm>

namespace tjc::cards {

bool card_enabled(const mapping::ProjectTarget& target, const config::CardsSettings& settings, std::string_view card) {
    const auto& list = target.cards.empty() ? settings.enabled : target.cards;
    return std::find(list.begin(), list.end(), card) != list.end();
}

std::vector<Card> render_project(const ProjectSnapshot& snap, const RenderContext& ctx) {
    std::vector<Card> out;
    // What a person on such a page wants first: what is deployed in this environment; on a
    // PR page, the PR's own pipelines.
    if (card_enabled(snap.target, *ctx.settings, "deploys")) {
        if (auto first = deployed_env_card(snap, ctx)) {
            out.push_back(std::move(*first));
        }
    }
    if (card_enabled(snap.target, *ctx.settings, "status")) {
        if (auto pr = pull_card(snap, ctx)) {
            out.push_back(std::move(*pr));
        }
    }
    for (const auto& name : ctx.settings->enabled) {
        if (!card_enabled(snap.target, *ctx.settings, name)) {
            continue;
        }
        std::optional<Card> card;
        if (name == "status") {
            card = branch_status_card(snap, ctx);
        } else if (name == "commit") {
            card = commit_card(snap, ctx);
        } else if (name == "pipelines") {
            card = recent_pipelines_card(snap, ctx);
        } else if (name == "approval") {
            card = approval_card(snap, ctx);
        } else if (name == "insights") {
            card = insights_card(snap, ctx);
        } else if (name == "deploys") {
            card = deploys_card(snap, ctx);
        } else if (name == "contexts") {
            card = contexts_card(snap, ctx);
        } else if (name == "links") {
            card = project_links_card(snap.target, ctx.app_url);
        }
        // Checked against ToolJump's schema where every card leaves the plugin (results_json).
        if (card) {
            out.push_back(std::move(*card));
        }
        // The page's own links (runbooks, dashboards) follow the project's.
        if (name == "links") {
            if (auto page = page_links_card(snap.target)) {
                out.push_back(std::move(*page));
            }
        }
    }
    return out;
}

}  // namespace tjc::cards
