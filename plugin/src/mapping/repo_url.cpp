#include "mapping/repo_url.hpp"

#include "util/ascii.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <vector>

namespace tjc::mapping {

namespace {

constexpr std::size_t kMaxInput = 2048;
constexpr std::size_t kMaxName = 100;  // GitHub's limit for org and repo names

bool name_char(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; }

// Why a decoded org or repo name is not acceptable ("" when it is).
std::string name_problem(std::string_view s, std::string_view what) {
    const std::string w(what);
    if (s.empty()) return "repository: empty " + w + " name";
    if (s == "." || s == "..") return "repository: '.' or '..' is not a " + w + " name";
    if (s.size() > kMaxName) return "repository: " + w + " name longer than 100 characters";
    if (!std::all_of(s.begin(), s.end(), [](unsigned char c) { return name_char(c); }))
        return "repository: " + w + " name has characters other than letters, digits, '-', '_' and '.'";
    return "";
}

bool valid_reg_name(std::string_view host) {
    return !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '.';
    });
}

// segs are decoded path segments; trailing empty ones (a trailing '/') are already gone.
Expected<RepoRef> from_segments(std::string host, const std::vector<std::string>& segs) {
    if (segs.size() < 2) return Error{"repository: expected <org>/<repo> in the path"};
    std::string repo = segs[1];
    if (repo.size() > 4 && ascii_lower(repo.substr(repo.size() - 4)) == ".git") repo.resize(repo.size() - 4);
    if (auto p = name_problem(segs[0], "organization"); !p.empty()) return Error{p};
    if (auto p = name_problem(repo, "repository"); !p.empty()) return Error{p};
    if (host.starts_with("www.")) host.erase(0, 4);
    if (host.ends_with('.')) host.pop_back();
    return RepoRef{std::move(host), segs[0], std::move(repo)};
}

template <typename Segments>
Expected<std::vector<std::string>> collect(const Segments& segments) {
    std::vector<std::string> segs;
    for (auto seg : segments) segs.emplace_back(seg);  // decoded
    while (!segs.empty() && segs.back().empty()) segs.pop_back();
    const std::size_t checked = std::min<std::size_t>(segs.size(), 2);
    for (std::size_t i = 0; i < checked; ++i) {
        if (segs[i].empty()) return Error{"repository: empty path segment"};
    }
    return segs;
}

// "git@host:org/repo" (no scheme, a ':' before any '/') -> "ssh://git@host/org/repo".
std::string scp_to_url(const std::string& text) {
    const auto at = text.find('@');
    std::size_t from = at == std::string::npos ? 0 : at + 1;
    if (from < text.size() && text[from] == '[') {  // IPv6 literal: the ':' after ']'
        const auto close = text.find(']', from);
        if (close == std::string::npos) return text;
        from = close;
    }
    const auto colon = text.find(':', from);
    const auto slash = text.find('/');
    if (colon == std::string::npos || (slash != std::string::npos && slash < colon)) return text;
    if (colon + 1 < text.size() && text[colon + 1] == '/') return text;  // "host:/path" is not scp-like
    return "ssh://" + text.substr(0, colon) + "/" + text.substr(colon + 1);
}

}  // namespace

Expected<RepoRef> parse_repo_ref(std::string_view input) {
    while (!input.empty() && std::isspace(static_cast<unsigned char>(input.front()))) input.remove_prefix(1);
    while (!input.empty() && std::isspace(static_cast<unsigned char>(input.back()))) input.remove_suffix(1);
    if (input.empty()) return Error{"repository: empty"};
    if (input.size() > kMaxInput) return Error{"repository: longer than 2048 characters"};

    std::string text(input);
    if (text.find("://") == std::string::npos) text = scp_to_url(text);
    if (text.find("://") == std::string::npos) {
        // "org/repo" or "host/org/repo": a relative reference.
        auto rel = boost::urls::parse_relative_ref(text);
        if (!rel) return Error{"repository: not a URL, host/<org>/<repo> or <org>/<repo>"};
        if (rel->has_query() || rel->has_fragment())
            return Error{"repository: a plain <org>/<repo> takes no query or fragment"};
        auto segs = collect(rel->segments());
        if (!segs) return Error{segs.error()};
        auto& s = segs.value();
        std::string host;
        if (s.size() == 3 && s[0].find('.') != std::string::npos) {
            host = ascii_lower(s[0]);
            if (!valid_reg_name(host)) return Error{"repository: invalid host name"};
            s.erase(s.begin());
        }
        if (s.size() != 2) return Error{"repository: expected <org>/<repo>"};
        return from_segments(std::move(host), s);
    }
    auto url = boost::urls::parse_uri(text);
    if (!url) return Error{"repository: not a valid URL"};
    const auto scheme = ascii_lower(url->scheme());
    if (scheme != "https" && scheme != "http" && scheme != "ssh" && scheme != "git" && scheme != "git+ssh" &&
        scheme != "ssh+git") {
        return Error{scheme.size() <= 16 ? "repository: unsupported scheme '" + scheme + "'"
                                         : std::string("repository: unsupported scheme")};
    }
    std::string host;
    switch (url->host_type()) {
        case boost::urls::host_type::ipv6:
        case boost::urls::host_type::ipvfuture:
            // Appended, not "[" + ...: GCC 12 at -O3 reports a false -Wrestrict in the
            // basic_string::insert that operator+(const char*, string&&) inlines (PR 105329).
            host += '[';
            host += ascii_lower(url->encoded_host_address());
            host += ']';
            break;
        case boost::urls::host_type::ipv4:
            host = std::string(url->encoded_host());
            break;
        case boost::urls::host_type::name:
            host = ascii_lower(url->host());  // decoded: "%2E" is a '.'
            if (!host.empty() && !valid_reg_name(host)) return Error{"repository: invalid host name"};
            break;
        default:
            break;
    }
    if (host.empty()) return Error{"repository: URL has no host"};
    auto segs = collect(url->segments());
    if (!segs) return Error{segs.error()};
    return from_segments(std::move(host), segs.value());
}

}  // namespace tjc::mapping
