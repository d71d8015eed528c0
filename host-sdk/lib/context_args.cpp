#include "context_args.hpp"

#include "mapping/repo_url.hpp"

#include <boost/json.hpp>
#include <boost/url/url.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tjhost {

namespace {

// The page URL: https://host/org/repo[/tree/<branch>|/commit/<sha>], each segment encoded
// (a branch "feature/x" is two segments, as GitHub writes it).
std::string page_url(const tjc::mapping::RepoRef& ref, const RepoArgs& args) {
    boost::urls::url u;
    u.set_scheme("https");
    u.set_host(ref.host);
    auto segs = u.segments();
    segs.push_back(ref.org);
    segs.push_back(ref.repo);
    if (!args.commit.empty()) {
        segs.push_back("commit");
        segs.push_back(args.commit);
    } else if (!args.branch.empty()) {
        segs.push_back("tree");
        std::string_view rest = args.branch;
        while (!rest.empty()) {
            const auto slash = rest.find('/');
            segs.push_back(rest.substr(0, slash));
            rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        }
    }
    return std::string(u.buffer());
}

// page.section as ToolJump's extension fills it (docs/tooljump-contract.md section 1): the
// front page's hash is the literal "main"; a branch arrives cut at its first '/'.
boost::json::object section_of(const RepoArgs& args) {
    if (!args.commit.empty()) {
        return {{"name", "commit"}, {"resource", ""}, {"hash", args.commit}};
    }
    if (!args.branch.empty()) {
        const auto slash = args.branch.find('/');
        return {{"name", "code"},
                {"resource", slash == std::string::npos ? std::string() : args.branch.substr(slash + 1)},
                {"hash", args.branch.substr(0, slash)}};
    }
    return {{"name", "code"}, {"resource", ""}, {"hash", "main"}};
}

}  // namespace

boost::json::value context_from_repo(const RepoArgs& args) {
    auto parsed = tjc::mapping::parse_repo_ref(args.repo);
    // The parser's message never repeats the input (it may hold a token in userinfo).
    if (!parsed) {
        throw std::runtime_error("--repo: " + parsed.error());
    }
    auto ref = std::move(parsed).value();
    if (ref.host.empty()) {
        ref.host = "github.com";
    }
    const auto url = page_url(ref, args);
    boost::json::object ctx;
    if (ref.host == "github.com") {
        // ToolJump's github adapter runs on github.com only.
        boost::json::object page{
            {"name", "repository"}, {"repository", ref.org + "/" + ref.repo}, {"section", section_of(args)}};
        ctx = {{"type", "github"}, {"url", url}, {"page", std::move(page)}};
    } else {
        // Any other host (GitHub Enterprise, Bitbucket) reaches an integration as a generic page.
        ctx = {{"type", "generic"}, {"url", url}};
    }
    if (!args.service.empty()) {
        ctx["service"] = {{"name", args.service}};
    }
    return ctx;
}

boost::json::value context_from_arg(const std::string& arg) {
    std::string text = arg;
    if (arg.starts_with("@")) {
        std::ifstream in(arg.substr(1), std::ios::binary);
        if (!in) {
            throw std::runtime_error("--context: cannot read " + arg.substr(1));
        }
        std::ostringstream ss;
        ss << in.rdbuf();
        text = ss.str();
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec) {
        throw std::runtime_error("--context: invalid JSON (" + ec.message() + ")");
    }
    if (!v.is_object()) {
        throw std::runtime_error("--context: must be a JSON object");
    }
    return v;
}

}  // namespace tjhost
