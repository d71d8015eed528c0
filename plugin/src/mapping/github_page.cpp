#include "mapping/github_page.hpp"

#include "util/ascii.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace tjc::mapping {

namespace {

constexpr std::size_t kMaxPullDigits = 10;

std::string joined(const std::vector<std::string>& segs, std::size_t from, std::size_t count) {
    std::string out;
    for (std::size_t i = from; i < from + count; ++i) {
        if (!out.empty()) {
            out += '/';
        }
        out += segs[i];
    }
    return out;
}

// The prefixes of segs[from..from+usable), longest first, the shortest kMaxBranchCandidates.
std::vector<std::string> prefixes(const std::vector<std::string>& segs, std::size_t from, std::size_t usable) {
    std::vector<std::string> out;
    for (std::size_t k = std::min(usable, kMaxBranchCandidates); k >= 1; --k) {
        out.push_back(joined(segs, from, k));
    }
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.size() <= kMaxPullDigits &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

bool looks_like_sha(std::string_view s) noexcept {
    return s.size() >= 7 && s.size() <= 40 &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

PageRef github_page_ref(const std::vector<std::string>& segments) {
    PageRef out;
    if (segments.size() < 2) {
        return out;  // the front page (its hash "main" is a placeholder), or a bare tab
    }
    const auto& kind = segments[0];
    const std::size_t rest = segments.size() - 1;
    if (kind == "tree" || kind == "commits" || (kind == "blob" && rest == 1)) {
        // Every prefix may be the branch, the whole path too (the tree of a branch's root).
        out.branch_candidates = prefixes(segments, 1, rest);
        if (rest == 1) {
            out.branch = segments[1];
        }
    } else if (kind == "blob") {
        // A blob path ends in a file: its last segment is never part of the branch.
        out.branch_candidates = prefixes(segments, 1, rest - 1);
    } else if (kind == "commit" && looks_like_sha(segments[1])) {
        out.commit = segments[1];
    } else if ((kind == "pull" || kind == "pulls") && all_digits(segments[1])) {
        out.pull = segments[1];
    }
    return out;
}

std::optional<UrlParts> split_url(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        return std::nullopt;
    }
    UrlParts out;
    out.scheme = ascii_lower(parsed->scheme());
    if (out.scheme != "https" && out.scheme != "http") {
        return std::nullopt;
    }
    if (parsed->host_type() == boost::urls::host_type::name) {
        out.host = ascii_lower(parsed->host());
    } else {
        out.host = ascii_lower(parsed->encoded_host());
    }
    if (out.host.ends_with('.')) {
        out.host.pop_back();
    }
    if (out.host.empty()) {
        return std::nullopt;
    }
    out.port = std::string(parsed->port());
    for (auto seg : parsed->segments()) {
        if (!seg.empty()) {
            out.segments.emplace_back(seg);
        }
    }
    return out;
}

}  // namespace tjc::mapping
