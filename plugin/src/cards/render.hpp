// ProjectSnapshot -> the cards a person sees for one project. Pure: `now` is an argument.
#pragma once

#include "cards/result.hpp"
#include "cards/snapshot.hpp"
#include "config/config.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tjc::cards {

struct RenderContext {
    std::string app_url;
    const config::CardsSettings* settings = nullptr;
    circleci::Timestamp now{};
};

// Whether a card is on: the rule's list when it has one, else the config's.
bool card_enabled(const mapping::ProjectTarget& target, const config::CardsSettings& settings, std::string_view card);

// The enabled cards in the order of CardsSettings::enabled. Every card passes validate().
std::vector<Card> render_project(const ProjectSnapshot& snap, const RenderContext& ctx);

// The single cards (exposed for tests).
std::optional<Card> branch_status_card(const ProjectSnapshot& snap, const RenderContext& ctx);
std::optional<Card> commit_card(const ProjectSnapshot& snap, const RenderContext& ctx);
std::optional<Card> recent_pipelines_card(const ProjectSnapshot& snap, const RenderContext& ctx);
std::optional<Card> approval_card(const ProjectSnapshot& snap, const RenderContext& ctx);
std::optional<Card> insights_card(const ProjectSnapshot& snap, const RenderContext& ctx);
std::optional<Card> deploys_card(const ProjectSnapshot& snap, const RenderContext& ctx);
// On another tool's page of a service in an environment (an AWS page tagged env:prod): the
// deploy there (when, which commit, pipelines since), shown first. nullopt without an env or
// on a repository's own page.
std::optional<Card> deployed_env_card(const ProjectSnapshot& snap, const RenderContext& ctx);
// On a PR page: the PR's own pipelines, when CircleCI's answer proves them (vcs.review_id).
std::optional<Card> pull_card(const ProjectSnapshot& snap, const RenderContext& ctx);
// The organization contexts whose name matches cards.context_pattern for the page's service
// (snap.contexts, when the plan fetched them); nullopt when none does.
std::optional<Card> contexts_card(const ProjectSnapshot& snap, const RenderContext& ctx);

// Deploy workflow names -> environment, by the configured patterns ({service}, {env}).
// nullopt when the name is not a deploy of this service.
std::optional<std::string> deploy_env(std::string_view workflow_name, const std::vector<std::string>& patterns,
                                      std::string_view service);

}  // namespace tjc::cards
