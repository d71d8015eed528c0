#include "mapping/repo_url.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <vector>

namespace tjc::mapping {

namespace {

constexpr std::size_t kMaxInput = 2048;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool valid_name(std::string_view s) {
    return !s.empty() && s != "." && s != ".." && s.size() <= 100 &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) {
               return std::isalnum(c) || c == '-' || c == '_' || c == '.';
           });
}

Expected<RepoRef> from_segments(std::string host, const std::vector<std::string>& segs) {
    if (segs.size() < 2) return Error{"repository: expected <org>/<repo> in the path"};
    std::string repo = segs[1];
    if (repo.size() > 4 && lower(repo.substr(repo.size() - 4)) == ".git") repo.resize(repo.size() - 4);
    if (!valid_name(segs[0])) return Error{"repository: invalid organization name"};
    if (!valid_name(repo)) return Error{"repository: invalid repository name"};
    if (host.starts_with("www.")) host.erase(0, 4);
    return RepoRef{std::move(host), segs[0], std::move(repo)};
}

}  // namespace

Expected<RepoRef> parse_repo_ref(std::string_view input) {
    if (input.empty()) return Error{"repository: empty"};
    if (input.size() > kMaxInput) return Error{"repository: longer than 2048 characters"};

    std::string text(input);
    // scp-like "git@host:org/repo.git" has no scheme; rewrite it as ssh:// so Boost.URL parses it.
    if (text.find("://") == std::string::npos) {
        const auto at = text.find('@');
        const auto colon = text.find(':');
        if (colon != std::string::npos && (at == std::string::npos || at < colon)) {
            text = "ssh://" + text.substr(0, colon) + "/" + text.substr(colon + 1);
        }
    }
    if (text.find("://") == std::string::npos) {
        // Plain "org/repo": parse as a relative reference.
        auto rel = boost::urls::parse_relative_ref(text);
        if (!rel) return Error{"repository: not a URL or <org>/<repo>"};
        std::vector<std::string> segs;
        for (auto seg : rel->segments()) {
            if (!seg.empty()) segs.emplace_back(seg);
        }
        if (segs.size() != 2) return Error{"repository: expected <org>/<repo>"};
        return from_segments("", segs);
    }
    auto url = boost::urls::parse_uri(text);
    if (!url) return Error{"repository: not a valid URL"};
    const auto scheme = lower(url->scheme());
    if (scheme != "https" && scheme != "http" && scheme != "ssh" && scheme != "git")
        return Error{"repository: unsupported scheme '" + scheme + "'"};
    std::string host = lower(std::string(url->encoded_host()));
    if (host.empty()) return Error{"repository: URL has no host"};
    std::vector<std::string> segs;
    for (auto seg : url->segments()) {
        if (!seg.empty()) segs.emplace_back(seg);
    }
    return from_segments(std::move(host), segs);
}

}  // namespace tjc::mapping
