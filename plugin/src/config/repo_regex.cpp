#include "config/repo_regex.hpp"

// GCC 12's <regex> trips -Wmaybe-uninitialized under -fsanitize (a known false positive in
// libstdc++'s _State moves); only this file includes it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>

namespace tjc::config {

struct RepoRegex::Impl {
    std::regex regex;
};

Expected<RepoRegex> RepoRegex::compile(std::string_view text) {
    RepoRegex out;
    try {
        auto impl = std::make_shared<Impl>(Impl{std::regex(std::string(text), std::regex::ECMAScript | std::regex::icase)});
        out.groups_ = static_cast<unsigned>(impl->regex.mark_count());
        out.impl_ = std::move(impl);
    } catch (const std::regex_error& e) {
        return Error{e.what()};
    }
    out.source_ = std::string(text);
    return out;
}

bool RepoRegex::match(std::string_view org_repo, RepoPattern::Captures& captures) const {
    captures.clear();
    if (!impl_) return false;
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_match(org_repo.begin(), org_repo.end(), m, impl_->regex)) return false;
    for (std::size_t i = 1; i < m.size(); ++i) captures.emplace_back(std::to_string(i), m[i].str());
    return true;
}

}  // namespace tjc::config

#pragma GCC diagnostic pop
