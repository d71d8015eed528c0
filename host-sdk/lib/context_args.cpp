#include "context_args.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace tjhost {

namespace {

struct Repo {
    std::string host;
    std::string org;
    std::string name;
};

Repo split_repo(const std::string& input) {
    std::string text = input;
    // scp-like git@host:org/repo -> ssh://git@host/org/repo
    if (text.find("://") == std::string::npos) {
        const auto colon = text.find(':');
        const auto at = text.find('@');
        if (colon != std::string::npos && (at == std::string::npos || at < colon))
            text = "ssh://" + text.substr(0, colon) + "/" + text.substr(colon + 1);
    }
    std::vector<std::string> segs;
    std::string host = "github.com";
    if (text.find("://") != std::string::npos) {
        auto u = boost::urls::parse_uri(text);
        if (!u) throw std::runtime_error("--repo: '" + input + "' is not a valid URL");
        host = std::string(u->encoded_host());
        std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
        if (host.starts_with("www.")) host.erase(0, 4);
        for (auto s : u->segments()) if (!s.empty()) segs.emplace_back(s);
    } else {
        auto r = boost::urls::parse_relative_ref(text);
        if (!r) throw std::runtime_error("--repo: '" + input + "' is not <org>/<repo>");
        for (auto s : r->segments()) if (!s.empty()) segs.emplace_back(s);
        // "github.com/org/repo" (a URL without its scheme): the first segment is the host.
        if (segs.size() >= 3 && segs[0].find('.') != std::string::npos) {
            host = segs[0];
            std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
            if (host.starts_with("www.")) host.erase(0, 4);
            segs.erase(segs.begin());
        }
    }
    if (segs.size() < 2) throw std::runtime_error("--repo: '" + input + "' does not name <org>/<repo>");
    std::string name = segs[1];
    if (name.size() > 4 && name.ends_with(".git")) name.resize(name.size() - 4);
    return {host, segs[0], name};
}

}  // namespace

boost::json::value context_from_repo(const RepoArgs& args) {
    const auto repo = split_repo(args.repo);
    std::string url = "https://" + repo.host + "/" + repo.org + "/" + repo.name;
    boost::json::object section;
    if (!args.commit.empty()) {
        url += "/commit/" + args.commit;
        section = {{"name", "commit"}, {"hash", args.commit}};
    } else if (!args.branch.empty()) {
        url += "/tree/" + args.branch;
        section = {{"name", "code"}, {"hash", args.branch}};
    }
    boost::json::object page{{"name", "repository"}, {"repository", repo.org + "/" + repo.name}};
    if (!section.empty()) page["section"] = std::move(section);
    boost::json::object ctx{{"type", "github"}, {"url", url}, {"page", std::move(page)}};
    if (!args.service.empty()) ctx["service"] = {{"name", args.service}};
    return ctx;
}

boost::json::value context_from_arg(const std::string& arg) {
    std::string text = arg;
    if (arg.starts_with("@")) {
        std::ifstream in(arg.substr(1), std::ios::binary);
        if (!in) throw std::runtime_error("--context: cannot read " + arg.substr(1));
        std::ostringstream ss;
        ss << in.rdbuf();
        text = ss.str();
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec) throw std::runtime_error("--context: invalid JSON (" + ec.message() + ")");
    if (!v.is_object()) throw std::runtime_error("--context: must be a JSON object");
    return v;
}

}  // namespace tjhost
