// `repo_regex:` rules: an ECMAScript regular expression over "org/repo", without case, whose
// groups are the placeholders {1}, {2}, ... <regex> lives in repo_regex.cpp only: GCC 12
// reports false maybe-uninitialized warnings inside it under the sanitizers (-Werror).
#pragma once

#include "config/repo_pattern.hpp"
#include "tjc/expected.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace tjc::config {

class RepoRegex {
public:
    RepoRegex() = default;
    static Expected<RepoRegex> compile(std::string_view text);

    [[nodiscard]] bool empty() const noexcept { return !impl_; }
    [[nodiscard]] const std::string& source() const noexcept { return source_; }
    [[nodiscard]] unsigned groups() const noexcept { return groups_; }
    // Matches the whole of org_repo; captures become ("1", ...), ("2", ...).
    [[nodiscard]] bool match(std::string_view org_repo, RepoPattern::Captures& captures) const;

private:
    struct Impl;
    std::shared_ptr<const Impl> impl_;  // compiled once, shared by copies of the config
    std::string source_;
    unsigned groups_ = 0;
};

}  // namespace tjc::config
