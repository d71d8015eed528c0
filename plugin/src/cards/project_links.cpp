#include "cards/project_links.hpp"

#include "cards/app_links.hpp"

namespace tjc::cards {

Card project_links_card(const mapping::ProjectTarget& project, std::string_view app_url) {
    const AppLinks links(app_url, project.slug);
    Card card;
    card.type = Card::Type::dropdown;
    card.icon = "circleci";
    card.content = "CircleCI: " + project.slug;
    card.tooltip = clip("CircleCI project " + project.slug + ", mapped by " + project.rule, kMaxTooltip);
    card.items = {
        {"Pipelines", links.dashboard(), Status::none, "circleci", ""},
        {"Insights", links.insights(), Status::none, "circleci", ""},
        {"Project settings", links.settings(), Status::none, "circleci", ""},
    };
    return card;
}

}  // namespace tjc::cards
