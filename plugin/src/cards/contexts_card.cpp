// The organization's contexts that belong to the page's service, by naming convention
// (cards.context_pattern, "svc-{service}-{env}"): who owns which secrets, one click away.
#include "cards/app_links.hpp"
#include "cards/format.hpp"
#include "cards/render.hpp"
#include "config/name_pattern.hpp"

namespace tjc::cards {

namespace {

// The pattern's placeholders bound to the page's values; false when the page lacks a value
// the pattern needs to name anything ({service}, {team}). {env} stays free without one.
bool bind_values(const config::NamePattern& pattern, const mapping::ProjectTarget& t,
                 config::NamePattern::Captures& bound) {
    for (const auto& [name, value] :
         {std::pair{"service", &t.service}, std::pair{"team", &t.team}, std::pair{"env", &t.env}}) {
        if (!pattern.has(name)) {
            continue;
        }
        if (value->empty() && std::string_view(name) != "env") {
            return false;
        }
        if (!value->empty()) {
            bound.emplace_back(name, *value);
        }
    }
    return true;
}

}  // namespace

std::optional<Card> contexts_card(const ProjectSnapshot& snap, const RenderContext& ctx) {
    if (!snap.contexts || snap.contexts->empty()) {
        return std::nullopt;
    }
    auto pattern = config::NamePattern::compile(ctx.settings->context_pattern, {"service", "env", "team"});
    config::NamePattern::Captures bound, unused;
    if (!pattern || !bind_values(pattern.value(), snap.target, bound)) {
        return std::nullopt;
    }
    const AppLinks links(ctx.app_url, snap.target.slug);
    Card card;
    card.type = Card::Type::dropdown;
    card.icon = "circleci";
    for (const auto& c : *snap.contexts) {
        if (pattern->match(c.name, bound, unused)) {
            card.items.push_back({clip(c.name, 100), links.context(c.id), Status::none, "circleci",
                                  clip("Settings of the context " + c.name, kMaxTooltip)});
        }
    }
    if (card.items.empty()) {
        return std::nullopt;
    }
    card.content = card.items.size() == 1 ? "Context: " + card.items.front().content
                                          : "Contexts (" + std::to_string(card.items.size()) + ")";
    card.tooltip = clip(count(card.items.size(), "organization context", "organization contexts") + " named like " +
                            ctx.settings->context_pattern + " for " +
                            (snap.target.service.empty() ? snap.target.team : snap.target.service) +
                            (snap.target.env.empty() ? "" : " in " + snap.target.env),
                        kMaxTooltip);
    return card;
}

}  // namespace tjc::cards
