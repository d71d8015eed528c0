// Repository patterns over "org/repo" such as "acme/{repo}-service", "*/{repo}" or
// "{org}/{repo}": "*" matches any run of characters and "{name}" captures one; neither
// crosses a '/'. Literals compare without case (GitHub names are case-insensitive), captures
// keep the case of the input. Compiled at load; matching is a small backtracking walk. Pure.
#pragma once

#include "tjc/expected.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tjc::config {

class RepoPattern {
public:
    using Captures = std::vector<std::pair<std::string, std::string>>;

    RepoPattern() = default;
    // The pattern must have exactly one '/', and two captures may not be adjacent.
    static Expected<RepoPattern> compile(std::string_view text);

    [[nodiscard]] const std::string& source() const noexcept { return source_; }
    [[nodiscard]] std::vector<std::string> capture_names() const;
    // Matches the whole of org_repo ("org/repo"); fills captures on success.
    [[nodiscard]] bool match(std::string_view org_repo, Captures& captures) const;
    // The pattern with every capture name replaced by one token: two patterns with the same
    // shape match the same repos (used to find duplicate rules).
    [[nodiscard]] std::string shape() const;

private:
    enum class Kind { literal, star, capture };
    struct Part {
        Kind kind = Kind::literal;
        std::string text;  // lower-cased literal, or the capture's name
    };
    // failed remembers (part, offset) states that cannot match: with it, hostile input such as
    // a hundred '-' against "*-*-*-{a}/{b}" costs parts x length^2 steps, not exponential.
    bool match_from(std::size_t part, std::string_view text, std::size_t offset, Captures& captures,
                    std::vector<char>& failed) const;

    std::string source_;
    std::vector<Part> parts_;
};

}  // namespace tjc::config
