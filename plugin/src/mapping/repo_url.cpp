#include "mapping/repo_url.hpp"

#include "util/ascii.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

namespace tjc::mapping {

namespace {

constexpr std::size_t kMaxInput = 2048;
constexpr std::size_t kMaxName = 100;  // GitHub's limit for org and repo names

// GitHub's own top-level pages: names GitHub reserves, so never an owner. Kept to the sure
// ones: a name missing here maps to a project CircleCI does not know (a quiet 404 under the
// convention); a name wrongly here would hide a real organization.
constexpr std::string_view kGithubReserved[] = {
    "about",   "account",          "apps",      "blog",          "codespaces",     "collections", "contact",
    "copilot", "customer-stories", "dashboard", "discussions",   "enterprise",     "enterprises", "events",
    "explore", "features",         "issues",    "join",          "login",          "logout",      "marketplace",
    "new",     "notifications",    "orgs",      "organizations", "password_reset", "pricing",     "pulls",
    "search",  "security",         "sessions",  "settings",      "signup",         "sponsors",    "stars",
    "topics",  "trending",         "users",     "watching",
};

constexpr std::string_view kBitbucketReserved[] = {
    "account", "dashboard", "product", "repo", "site", "socialauth", "support", "workspace", "workspaces",
};

// names are lower-case; segment compares without case.
template <std::size_t N>
bool listed(const std::string_view (&names)[N], std::string_view segment) noexcept {
    return std::any_of(std::begin(names), std::end(names), [segment](std::string_view name) {
        return name.size() == segment.size() && std::equal(name.begin(), name.end(), segment.begin(),
                                                           [](char a, char b) { return a == ascii_lower(b); });
    });
}

bool name_char(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; }

// Why a decoded org or repo name is not acceptable ("" when it is).
std::string name_problem(std::string_view s, std::string_view what) {
    const std::string w(what);
    if (s.empty()) {
        return "repository: empty " + w + " name";
    }
    if (s == "." || s == "..") {
        return "repository: '.' or '..' is not a " + w + " name";
    }
    if (s.size() > kMaxName) {
        return "repository: " + w + " name longer than 100 characters";
    }
    if (!std::all_of(s.begin(), s.end(), [](unsigned char c) { return name_char(c); })) {
        return "repository: " + w + " name has characters other than letters, digits, '-', '_' and '.'";
    }
    return "";
}

bool valid_reg_name(std::string_view host) {
    return !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '.';
    });
}

// segs are decoded path segments; trailing empty ones (a trailing '/') are already gone.
Expected<RepoRef> from_segments(std::string host, const std::vector<std::string>& segs) {
    if (host.starts_with("www.")) {
        host.erase(0, 4);
    }
    if (host.ends_with('.')) {
        host.pop_back();
    }
    if (host == "github.com" && !segs.empty() && github_reserved_name(segs[0])) {
        return Error{"repository: github.com/" + ascii_lower(segs[0]) + " is GitHub's own page, not a repository"};
    }
    if (segs.size() < 2) {
        return Error{"repository: expected <org>/<repo> in the path"};
    }
    std::string repo = segs[1];
    if (repo.size() > 4 && ascii_lower(repo.substr(repo.size() - 4)) == ".git") {
        repo.resize(repo.size() - 4);
    }
    if (auto p = name_problem(segs[0], "organization"); !p.empty()) {
        return Error{p};
    }
    if (auto p = name_problem(repo, "repository"); !p.empty()) {
        return Error{p};
    }
    return RepoRef{std::move(host), segs[0], std::move(repo)};
}

template <typename Segments>
Expected<std::vector<std::string>> collect(const Segments& segments) {
    std::vector<std::string> segs;
    for (auto seg : segments) {
        segs.emplace_back(seg);  // decoded
    }
    while (!segs.empty() && segs.back().empty()) {
        segs.pop_back();
    }
    const std::size_t checked = std::min<std::size_t>(segs.size(), 2);
    for (std::size_t i = 0; i < checked; ++i) {
        if (segs[i].empty()) {
            return Error{"repository: empty path segment"};
        }
    }
    return segs;
}

// "git@host:org/repo" (no scheme, a ':' before any '/') -> "ssh://git@host/org/repo".
std::string scp_to_url(const std::string& text) {
    const auto at = text.find('@');
    std::size_t from = at == std::string::npos ? 0 : at + 1;
    if (from < text.size() && text[from] == '[') {  // IPv6 literal: the ':' after ']'
        const auto close = text.find(']', from);
        if (close == std::string::npos) {
            return text;
        }
        from = close;
    }
    const auto colon = text.find(':', from);
    const auto slash = text.find('/');
    if (colon == std::string::npos || (slash != std::string::npos && slash < colon)) {
        return text;
    }
    if (colon + 1 < text.size() && text[colon + 1] == '/') {
        return text;  // "host:/path" is not scp-like
    }
    return "ssh://" + text.substr(0, colon) + "/" + text.substr(colon + 1);
}

// npm writes "ssh://git@host:org/repo.git": the scp form behind an ssh scheme. A ':' after
// the host that no port follows becomes the path's '/'.
std::string ssh_scp_path(const std::string& text, std::size_t authority_start) {
    const auto end = text.find('/', authority_start);
    const auto authority =
        text.substr(authority_start, end == std::string::npos ? std::string::npos : end - authority_start);
    const auto at = authority.rfind('@');
    const auto host_start = at == std::string::npos ? 0 : at + 1;
    if (host_start < authority.size() && authority[host_start] == '[') {
        return text;  // IPv6: left to the URL parser
    }
    const auto colon = authority.find(':', host_start);
    if (colon == std::string::npos || colon + 1 >= authority.size() ||
        std::isdigit(static_cast<unsigned char>(authority[colon + 1]))) {
        return text;
    }
    std::string out = text;
    out[authority_start + colon] = '/';
    return out;
}

// Input that names a clone on a disk: refused with one message (never echoing the input).
bool local_path(std::string_view text) {
    if (text.starts_with('/') || text.starts_with("./") || text.starts_with("../") || text.starts_with('~') ||
        text == "." || text == "..") {
        return true;
    }
    if (text.find('\\') != std::string_view::npos) {
        return true;
    }
    // "C:/repo" or "C:\repo": a drive letter, not an scp-like host.
    return text.size() >= 3 && std::isalpha(static_cast<unsigned char>(text[0])) && text[1] == ':' &&
           (text[2] == '/' || text[2] == '\\');
}

const char* const kLocalMessage =
    "repository: a local path or file URL names a clone on some disk, not a hosted repository; "
    "give its https URL or <org>/<repo>";

// npm's shorthands: "github:org/repo" and the like -> the host and the rest.
std::optional<std::pair<std::string, std::string>> shorthand(const std::string& text) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kHosts{
        {{"github:", "github.com"}, {"bitbucket:", "bitbucket.org"}, {"gitlab:", "gitlab.com"}}};
    const auto lower = ascii_lower(text.substr(0, std::min<std::size_t>(text.size(), 10)));
    for (const auto& [prefix, host] : kHosts) {
        if (lower.starts_with(prefix) && text.compare(prefix.size(), 2, "//") != 0) {
            return std::pair{std::string(host), text.substr(prefix.size())};
        }
    }
    return std::nullopt;
}

// "org/repo" or "host/org/repo": a relative reference. forced_host: from a shorthand.
Expected<RepoRef> parse_relative(const std::string& text, std::string forced_host) {
    auto rel = boost::urls::parse_relative_ref(text);
    if (!rel) {
        return Error{"repository: not a URL, host/<org>/<repo> or <org>/<repo>"};
    }
    if (rel->has_query()) {
        return Error{"repository: a plain <org>/<repo> takes no query"};
    }
    auto segs = collect(rel->segments());
    if (!segs) {
        return Error{segs.error()};
    }
    auto& s = segs.value();
    std::string host = std::move(forced_host);
    if (host.empty() && s.size() >= 3 && s[0].find('.') != std::string::npos) {
        // "github.com/org/repo[/tree/...]": a URL without its scheme, tails as in a URL.
        host = ascii_lower(s[0]);
        if (!valid_reg_name(host)) {
            return Error{"repository: invalid host name"};
        }
        s.erase(s.begin());
        return from_segments(std::move(host), s);
    }
    if (s.size() != 2) {
        return Error{"repository: expected <org>/<repo>"};
    }
    return from_segments(std::move(host), s);
}

Expected<std::string> host_of(const boost::urls::url_view& url) {
    std::string host;
    switch (url.host_type()) {
        case boost::urls::host_type::ipv6:
        case boost::urls::host_type::ipvfuture:
            // Appended, not "[" + ...: GCC 12 at -O3 reports a false -Wrestrict in the
            // basic_string::insert that operator+(const char*, string&&) inlines (PR 105329).
            host += '[';
            host += ascii_lower(url.encoded_host_address());
            host += ']';
            break;
        case boost::urls::host_type::ipv4: host = std::string(url.encoded_host()); break;
        case boost::urls::host_type::name:
            host = ascii_lower(url.host());  // decoded: "%2E" is a '.'
            if (!host.empty() && !valid_reg_name(host)) {
                return Error{"repository: invalid host name"};
            }
            break;
        default: break;
    }
    if (host.empty()) {
        return Error{"repository: URL has no host"};
    }
    return host;
}

Expected<RepoRef> parse_absolute(std::string text) {
    const auto sep = text.find("://");
    auto scheme = ascii_lower(text.substr(0, sep));
    if (scheme == "file" || scheme == "git+file") {
        return Error{kLocalMessage};
    }
    if (scheme == "git+https" || scheme == "git+http") {
        text.erase(0, 4);
        scheme.erase(0, 4);
    }
    const bool ssh = scheme == "ssh" || scheme == "git+ssh" || scheme == "ssh+git";
    if (ssh) {
        text = ssh_scp_path(text, sep + 3);
    }
    auto url = boost::urls::parse_uri(text);
    if (!url) {
        return Error{"repository: not a valid URL"};
    }
    if (!ssh && scheme != "https" && scheme != "http" && scheme != "git") {
        return Error{scheme.size() <= 16 ? "repository: unsupported scheme '" + scheme + "'"
                                         : std::string("repository: unsupported scheme")};
    }
    auto host = host_of(url.value());
    if (!host) {
        return Error{host.error()};
    }
    auto segs = collect(url->segments());
    if (!segs) {
        return Error{segs.error()};
    }
    return from_segments(std::move(host).value(), segs.value());
}

std::string_view trimmed(std::string_view input) {
    while (!input.empty() && std::isspace(static_cast<unsigned char>(input.front()))) {
        input.remove_prefix(1);
    }
    while (!input.empty() && std::isspace(static_cast<unsigned char>(input.back()))) {
        input.remove_suffix(1);
    }
    return input;
}

}  // namespace

bool github_reserved_name(std::string_view segment) noexcept { return listed(kGithubReserved, segment); }

bool bitbucket_reserved_name(std::string_view segment) noexcept { return listed(kBitbucketReserved, segment); }

Expected<RepoRef> parse_repo_ref(std::string_view input) {
    input = trimmed(input);
    if (input.size() > kMaxInput) {
        return Error{"repository: longer than 2048 characters"};
    }
    // The fragment first: whatever it holds ('@', ':', '/'), it never decides the repo.
    input = trimmed(input.substr(0, input.find('#')));
    if (input.empty()) {
        return Error{"repository: empty"};
    }
    if (local_path(input)) {
        return Error{kLocalMessage};
    }
    std::string text(input);
    if (text.find("://") != std::string::npos) {
        return parse_absolute(std::move(text));
    }
    if (ascii_lower(text.substr(0, 5)) == "file:") {
        return Error{kLocalMessage};
    }
    if (auto sh = shorthand(text)) {
        return parse_relative(sh->second, std::move(sh->first));
    }
    text = scp_to_url(text);
    if (text.find("://") != std::string::npos) {
        return parse_absolute(std::move(text));
    }
    return parse_relative(text, "");
}

}  // namespace tjc::mapping
