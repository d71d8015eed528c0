#include "mapping/resolve.hpp"

#include "mapping/repo_url.hpp"

namespace tjc::mapping {

Resolution resolve(const config::MappingConfig& mapping, const std::string& default_token_secret,
                   const ContextFacts& facts) {
    Resolution out;
    // page.repository is what the adapter read; the URL is the fallback.
    const std::string& source = !facts.repository.empty() ? facts.repository : facts.url;
    if (source.empty()) {
        out.reason = "the context names no repository (page.repository or url)";
        return out;
    }
    auto ref = parse_repo_ref(source);
    if (!ref) {
        out.reason = ref.error();
        return out;
    }
    // A plain "org/repo" from a github context is on github.com.
    std::string host = ref->host.empty() ? (facts.type == "github" || facts.type.empty() ? "github.com" : "") : ref->host;
    for (const auto& vcs : mapping.vcs_hosts) {
        if (vcs.host != host) continue;
        ProjectTarget t;
        t.slug = vcs.prefix + "/" + ref->org + "/" + ref->repo;
        t.rule = "default convention (" + vcs.host + " -> " + vcs.prefix + "/<org>/<repo>)";
        t.branch = facts.branch;
        t.commit = facts.commit;
        t.token_secret = default_token_secret;
        t.service = facts.service;
        t.env = facts.env;
        out.projects.push_back(std::move(t));
        return out;
    }
    out.reason = "no rule maps host '" + host + "' and it is not a known VCS host";
    return out;
}

}  // namespace tjc::mapping
