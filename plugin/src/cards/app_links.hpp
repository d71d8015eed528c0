// Links into the CircleCI web app for a project slug, built from circleci.app_url so that
// server installs work. gh/bb slugs use the app's "github"/"bitbucket" path names;
// circleci/<org-id>/<project-id> slugs are used as they are. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tjc::cards {

class AppLinks {
public:
    AppLinks(std::string_view app_url, std::string_view slug);

    [[nodiscard]] std::string dashboard() const;
    [[nodiscard]] std::string insights() const;
    [[nodiscard]] std::string settings() const;
    // One workflow's insights; branch and window are added as query parameters when given.
    [[nodiscard]] std::string insights_workflow(std::string_view workflow, std::string_view branch,
                                                std::string_view window) const;
    [[nodiscard]] std::string pipeline(std::int64_t number) const;
    [[nodiscard]] std::string workflow(std::int64_t pipeline_number, std::string_view workflow_id) const;
    // An organization context's settings page (the project's organization).
    [[nodiscard]] std::string context(std::string_view context_id) const;

private:
    std::string base_;      // app_url without trailing '/'
    std::string app_slug_;  // "github/org/repo", each segment percent-encoded
    std::string app_org_;   // "github/org" or "circleci/<org-id>": the organization part
};

}  // namespace tjc::cards
