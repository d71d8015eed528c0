#include "cards/project_links.hpp"

#include "cards/app_links.hpp"

namespace tjc::cards {

Card project_links_card(const mapping::ProjectTarget& project, std::string_view app_url) {
    const AppLinks links(app_url, project.slug);
    Card card;
    card.type = Card::Type::dropdown;
    card.icon = "circleci";
    card.content = "CircleCI: " + project.slug;
    // The rule's label, never its file:line (a server path is no business of the viewer).
    card.tooltip = clip("CircleCI project " + project.slug + ", mapped by " + project.rule_label, kMaxTooltip);
    card.items = {
        {"Pipelines", links.dashboard(), Status::none, "circleci", ""},
        {"Insights", links.insights(), Status::none, "circleci", ""},
        {"Project settings", links.settings(), Status::none, "circleci", ""},
    };
    return card;
}

std::optional<Card> page_links_card(const mapping::ProjectTarget& project) {
    if (project.links.empty()) {
        return std::nullopt;
    }
    Card card;
    card.type = Card::Type::dropdown;
    card.icon = "link";
    card.content = "Links";
    for (const auto& l : project.links) {
        card.items.push_back({clip(l.name, 100), l.url, Status::none, l.icon.empty() ? "link" : l.icon, ""});
    }
    std::string about;
    for (const auto* part : {&project.service, &project.env, &project.team}) {
        if (!part->empty()) {
            about += (about.empty() ? "" : ", ") + *part;
        }
    }
    card.tooltip = clip(about.empty() ? "Links for this page" : "Links for " + about, kMaxTooltip);
    return card;
}

}  // namespace tjc::cards
