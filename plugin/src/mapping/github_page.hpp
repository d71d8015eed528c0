// What a GitHub repository page's URL says about the branch, commit or pull request it shows.
// Pure. ToolJump's extension cuts a branch at its first '/' (page.section.hash "feature" for
// /tree/feature/x/src) and sends the literal "main" on a repo's front page, so the URL is the
// only place a branch can be read from (docs/tooljump-contract.md section 1).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tjc::mapping {

inline constexpr std::size_t kMaxBranchCandidates = 8;

struct PageRef {
    // The branch, when the URL leaves no doubt: /tree/<x> or /commits/<x> with nothing after.
    std::string branch;
    // The branches the page may show, longest first, the one-segment one last: the prefixes
    // of the path after tree/, blob/ or commits/ (for blob/ the file name is never part of a
    // branch). At most kMaxBranchCandidates, the shortest kept. Holds `branch` alone when it is
    // certain; empty when the page names no branch (front page, PR, issues, ...).
    std::vector<std::string> branch_candidates;
    std::string commit;  // /commit/<sha>: the SHA (7 to 40 hex digits)
    std::string pull;    // /pull/<n>/...: the pull request's number
};

// segments: the URL path's decoded segments after /<org>/<repo>.
PageRef github_page_ref(const std::vector<std::string>& segments);

// An absolute http(s) URL as its scheme, lower-case host, port and decoded path segments
// (empty ones dropped); nullopt when it is not one.
struct UrlParts {
    std::string scheme;  // "https" or "http"
    std::string host;    // lower-case, no trailing '.'
    std::string port;    // "" when the URL gives none
    std::vector<std::string> segments;
};
std::optional<UrlParts> split_url(std::string_view url);

// True for 7 to 40 hex digits: how GitHub shows a commit.
bool looks_like_sha(std::string_view s) noexcept;

}  // namespace tjc::mapping
