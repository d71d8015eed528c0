#include "cards/error_card.hpp"

#include "cards/app_links.hpp"
#include "cards/format.hpp"

namespace tjc::cards {

std::string_view to_string(FailureKind kind) noexcept {
    switch (kind) {
        case FailureKind::no_token: return "no API token";
        case FailureKind::token_rejected: return "token rejected";
        case FailureKind::forbidden: return "access denied";
        case FailureKind::not_found: return "project not found";
        case FailureKind::rate_limited: return "rate-limited";
        case FailureKind::unreachable: return "CircleCI unreachable";
        case FailureKind::tls: return "TLS error";
        case FailureKind::timeout: return "timed out";
        case FailureKind::bad_response: return "unexpected response";
        case FailureKind::server_error: return "CircleCI error";
    }
    return "error";
}

Card no_project_card(const mapping::ProjectTarget& project) {
    Card card;
    card.type = Card::Type::text;
    card.icon = "circleci";
    card.status = Status::none;
    card.content = "CircleCI: no project";
    card.tooltip = clip("CircleCI has no project " + project.slug + " (404). The slug came from " + project.rule_label +
                            ", and a repository or service without a CircleCI project is common. A rule in the "
                            "plugin's config can map it to another project, or exclude it.",
                        kMaxTooltip);
    return card;
}

Card error_card(FailureKind kind, const mapping::ProjectTarget& project, std::string_view app_url,
                std::string_view detail) {
    // Under a convention a 404 is the normal case, not a failure: never red.
    if (kind == FailureKind::not_found && mapping::is_convention(project.mapped_by)) {
        return no_project_card(project);
    }
    const AppLinks links(app_url, project.slug);
    Card card;
    card.type = Card::Type::link;
    card.icon = "circleci";
    card.status = Status::important;
    card.content = "CircleCI: " + std::string(to_string(kind));
    card.href = links.dashboard();
    std::string tip;
    switch (kind) {
        case FailureKind::no_token:
            tip = "No value for the secret " + project.token_secret + " (ToolJump reads INTEGRATION_" +
                  project.token_secret + "). Set it to a CircleCI personal API token.";
            card.href = std::string(app_url) + "/settings/user/tokens";
            break;
        case FailureKind::token_rejected:
            tip = "CircleCI rejected the token in " + project.token_secret +
                  " (401). API v2 accepts personal API tokens only: a project API token is refused.";
            card.href = std::string(app_url) + "/settings/user/tokens";
            break;
        case FailureKind::forbidden:
            tip = "The token in " + project.token_secret + " may not read " + project.slug + " (403).";
            break;
        case FailureKind::not_found:
            tip = "CircleCI has no project " + project.slug + ", or it is not followed (404). The slug came from " +
                  project.rule_label + ".";
            break;
        case FailureKind::rate_limited:
            tip = "CircleCI is rate-limiting requests for now (429); cards come back when it allows.";
            break;
        case FailureKind::unreachable: tip = "Could not reach CircleCI for " + project.slug + "."; break;
        case FailureKind::tls:
            tip = "The TLS connection to CircleCI for " + project.slug +
                  " failed (certificate or handshake). A CircleCI server install with a private CA needs tls.ca_file.";
            break;
        case FailureKind::timeout: tip = "CircleCI did not answer in time for " + project.slug + "."; break;
        case FailureKind::bad_response:
            tip = "CircleCI answered with something unexpected for " + project.slug + ".";
            break;
        case FailureKind::server_error: tip = "CircleCI answered with a server error for " + project.slug + "."; break;
    }
    if (!detail.empty()) {
        tip += " (" + std::string(detail) + ")";
    }
    card.tooltip = clip(tip, kMaxTooltip);
    return card;
}

Card part_failure_card(std::string_view label, std::string_view what, const PartFailure& failure,
                       const mapping::ProjectTarget& project, std::string_view app_url) {
    const AppLinks links(app_url, project.slug);
    Card card;
    card.type = Card::Type::link;
    card.icon = "circleci";
    card.status = Status::relevant;  // worth a look; the project itself answered
    card.content = std::string(label) + ": " + std::string(to_string(failure.kind));
    card.href = links.dashboard();
    std::string tip = "Could not read " + std::string(what) + " of " + project.slug + " (" +
                      std::string(to_string(failure.kind)) + ")";
    if (!failure.detail.empty()) {
        tip += ": " + failure.detail;
    }
    card.tooltip = clip(tip + ". The other cards are not affected.", kMaxTooltip);
    return card;
}

Card stale_note_card(FailureKind kind, const mapping::ProjectTarget& project, std::chrono::milliseconds age) {
    Card card;
    card.type = Card::Type::text;
    card.icon = "circleci";
    card.status = Status::relevant;
    card.content = "CircleCI: " + std::string(to_string(kind)) + ", cards from " + span(age) + " ago";
    card.tooltip = clip("The last refresh of " + project.slug + " failed (" + std::string(to_string(kind)) +
                            "); the cards beside this one are from " + span(age) + " ago.",
                        kMaxTooltip);
    return card;
}

Card refreshing_note_card(std::chrono::milliseconds age) {
    Card card;
    card.type = Card::Type::text;
    card.icon = "circleci";
    card.content = "CircleCI: refreshing";
    card.tooltip = "These cards are from " + span(age) + " ago; a refresh is running.";
    return card;
}

}  // namespace tjc::cards
