// Repository references in every form, hostile ones included: each maps to host/org/repo or
// fails with a reason that never repeats userinfo.
#include "mapping/repo_url.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

struct UrlCase {
    std::string input;
    std::string host, org, repo;  // expected on success
    std::string error;            // expected substring of the error, "" = success
};

}  // namespace

TEST_CASE("repository references: table") {
    const std::string long_name(101, 'a');
    const UrlCase cases[] = {
        // https / http and their tails
        {"https://github.com/acme/webshop", "github.com", "acme", "webshop", ""},
        {"http://github.com/acme/webshop", "github.com", "acme", "webshop", ""},
        {"https://github.com/acme/webshop/", "github.com", "acme", "webshop", ""},
        {"https://github.com/acme/webshop.git", "github.com", "acme", "webshop", ""},
        {"https://github.com/acme/webshop/tree/feature/x", "github.com", "acme", "webshop", ""},
        {"https://github.com/acme/webshop/pull/42/files", "github.com", "acme", "webshop", ""},
        {"https://github.com/acme/webshop?tab=readme#top", "github.com", "acme", "webshop", ""},
        {"https://www.github.com/acme/webshop", "github.com", "acme", "webshop", ""},
        {"HTTPS://GitHub.COM/Acme/WebShop", "github.com", "Acme", "WebShop", ""},
        {"https://github.com:443/acme/webshop", "github.com", "acme", "webshop", ""},
        {"https://github.acme.internal:8443/team/app", "github.acme.internal", "team", "app", ""},
        {"https://bitbucket.org/acme/webshop/src/main/", "bitbucket.org", "acme", "webshop", ""},
        {"https://github.com/acme/web.shop_v2-x", "github.com", "acme", "web.shop_v2-x", ""},
        {"https://github.com/acme/repo.git.git", "github.com", "acme", "repo.git", ""},
        {"https://github.com./acme/webshop", "github.com", "acme", "webshop", ""},
        // userinfo is dropped
        {"https://user:ghp_secret@github.com/acme/webshop", "github.com", "acme", "webshop", ""},
        {"https://ghp_secret@github.com/acme/webshop.git", "github.com", "acme", "webshop", ""},
        // ssh and scp-like
        {"ssh://git@github.com/acme/webshop.git", "github.com", "acme", "webshop", ""},
        {"ssh://git@github.com:22/acme/webshop.git", "github.com", "acme", "webshop", ""},
        {"git+ssh://git@github.com/acme/webshop", "github.com", "acme", "webshop", ""},
        {"git@github.com:acme/webshop.git", "github.com", "acme", "webshop", ""},
        {"git@github.com:acme/webshop", "github.com", "acme", "webshop", ""},
        {"github.com:acme/webshop.git", "github.com", "acme", "webshop", ""},
        {"git@bitbucket.org:Acme/WebShop.git", "bitbucket.org", "Acme", "WebShop", ""},
        {"git://github.com/acme/webshop.git", "github.com", "acme", "webshop", ""},
        // plain forms
        {"acme/webshop", "", "acme", "webshop", ""},
        {"  acme/webshop\n", "", "acme", "webshop", ""},
        {"acme/webshop.git", "", "acme", "webshop", ""},
        {"acme/webshop/", "", "acme", "webshop", ""},
        {"github.com/acme/webshop", "github.com", "acme", "webshop", ""},
        {"github.com/acme/webshop/tree/main", "github.com", "acme", "webshop", ""},
        {"www.github.com/acme/webshop/pull/3", "github.com", "acme", "webshop", ""},
        // IP hosts
        {"https://[2001:db8::1]/acme/webshop", "[2001:db8::1]", "acme", "webshop", ""},
        {"https://[2001:DB8::1]:8443/acme/webshop", "[2001:db8::1]", "acme", "webshop", ""},
        {"git@[::1]:acme/webshop.git", "[::1]", "acme", "webshop", ""},
        {"http://127.0.0.1:8080/acme/webshop", "127.0.0.1", "acme", "webshop", ""},
        // percent-encoding decodes to the same names, or to something refused
        {"https://github.com/acme/%77ebshop", "github.com", "acme", "webshop", ""},
        {"https://github.com/acme%2Fevil/webshop", "", "", "", "organization name has characters"},
        {"https://github.com/acme/web%20shop", "", "", "", "repository name has characters"},
        {"https://github.com/acme/%2E%2E", "", "", "", "'.' or '..'"},
        {"https://github.com/acme/web%00shop", "", "", "", "repository name has characters"},
        // path tricks and empty segments
        {"https://github.com/../acme/webshop", "", "", "", "'.' or '..'"},
        {"https://github.com/acme/..", "", "", "", "'.' or '..'"},
        {"../acme", "", "", "", "local path"},
        {"https://github.com//acme/webshop", "", "", "", "empty path segment"},
        {"https://github.com/acme//webshop", "", "", "", "empty path segment"},
        {"acme//webshop", "", "", "", "empty path segment"},
        {"https://github.com/acme", "", "", "", "expected <org>/<repo>"},
        {"https://github.com/", "", "", "", "expected <org>/<repo>"},
        {"acme", "", "", "", "expected <org>/<repo>"},
        {"a/b/c/d", "", "", "", "expected <org>/<repo>"},
        {"acme/webshop?x=1", "", "", "", "takes no query"},
        // unicode, overlong, empty, junk
        {"https://github.com/acmé/webshop", "", "", "", "not a valid URL"},
        {"https://github.com/acme/%C3%A9", "", "", "", "repository name has characters"},
        {"https://gïthub.com/acme/webshop", "", "", "", "not a valid URL"},
        {"https://github.com/acme/" + long_name, "", "", "", "longer than 100"},
        {"https://github.com/acme/" + std::string(3000, 'b'), "", "", "", "longer than 2048"},
        {"", "", "", "", "empty"},
        {"   ", "", "", "", "empty"},
        {"ftp://github.com/acme/webshop", "", "", "", "unsupported scheme 'ftp'"},
        {"javascript:alert(1)", "", "", "", "expected <org>/<repo>"},
        // issue 13 item 12: local paths and file URLs name a clone, not a hosted repository
        {"/path/to/repo.git/", "", "", "", "local path or file URL"},
        {"/acme/webshop", "", "", "", "local path or file URL"},
        {"./acme/webshop", "", "", "", "local path or file URL"},
        {"~/src/webshop", "", "", "", "local path or file URL"},
        {"C:\\src\\webshop", "", "", "", "local path or file URL"},
        {"C:/src/webshop", "", "", "", "local path or file URL"},
        {"file:///path/to/repo.git/", "", "", "", "local path or file URL"},
        {"FILE:///path/to/repo.git", "", "", "", "local path or file URL"},
        {"git+file:///foo/bar", "", "", "", "local path or file URL"},
        {"file:relative/repo", "", "", "", "local path or file URL"},
        // npm's shorthands and git+ schemes
        {"github:acme/webshop", "github.com", "acme", "webshop", ""},
        {"GitHub:Acme/WebShop.git", "github.com", "Acme", "WebShop", ""},
        {"bitbucket:acme/webshop", "bitbucket.org", "acme", "webshop", ""},
        {"gitlab:acme/webshop", "gitlab.com", "acme", "webshop", ""},
        {"github:acme/webshop#semver:^1.0", "github.com", "acme", "webshop", ""},
        {"github:acme", "", "", "", "expected <org>/<repo>"},
        {"git+https://github.com/acme/webshop.git", "github.com", "acme", "webshop", ""},
        {"git+ssh://git@github.com:acme/webshop.git", "github.com", "acme", "webshop", ""},
        {"ssh://git@github.com:acme/webshop.git", "github.com", "acme", "webshop", ""},
        // a fragment never decides the repo, whatever it holds
        {"acme/webshop#readme", "", "acme", "webshop", ""},
        {"acme/webshop#x@evil.com:other/repo", "", "acme", "webshop", ""},
        {"https://github.com/acme/webshop#/other/repo", "github.com", "acme", "webshop", ""},
        {"git@github.com:acme/webshop.git#main:x/y", "github.com", "acme", "webshop", ""},
        {"#acme/webshop", "", "", "", "empty"},
        // GitHub's own pages are no <org>/<repo>
        {"https://github.com/orgs/acme/repositories", "", "", "", "is GitHub's own page"},
        {"https://github.com/settings/profile", "", "", "", "is GitHub's own page"},
        {"https://github.com/Marketplace/actions/x", "", "", "", "is GitHub's own page"},
        {"github.com/sponsors/acme", "", "", "", "is GitHub's own page"},
        {"https://github.com/pulls", "", "", "", "is GitHub's own page"},
        {"https://github.acme.internal/orgs/acme", "github.acme.internal", "orgs", "acme", ""},
        {"https:///acme/webshop", "", "", "", "no host"},
        {"https://git hub.com/acme/webshop", "", "", "", "not a valid URL"},
        {"https://exa%5Fmple.com/acme/webshop", "", "", "", "invalid host name"},
    };
    int checked = 0;
    for (const auto& c : cases) {
        CAPTURE(c.input);
        const auto r = tjc::mapping::parse_repo_ref(c.input);
        if (c.error.empty()) {
            REQUIRE_MESSAGE(r.has_value(), (r.has_value() ? std::string() : r.error()));
            CHECK(r->host == c.host);
            CHECK(r->org == c.org);
            CHECK(r->repo == c.repo);
        } else {
            REQUIRE_FALSE(r.has_value());
            CHECK_MESSAGE(r.error().find(c.error) != std::string::npos, r.error());
            CHECK(r.error().find("ghp_secret") == std::string::npos);
        }
        ++checked;
    }
    CHECK(checked >= 90);
}

TEST_CASE("userinfo never appears in an error") {
    for (const char* input :
         {"https://user:ghp_secret@github.com/acme", "ssh://ghp_secret@github.com/",
          "https://ghp_secret@github.com/acme/%2E%2E", "ghp_secret@github.com:acme", "file://ghp_secret@host/x/y",
          "git+file://ghp_secret@host/x/y", "https://ghp_secret@github.com/orgs/acme"}) {
        CAPTURE(input);
        const auto r = tjc::mapping::parse_repo_ref(input);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().find("ghp_secret") == std::string::npos);
    }
}

TEST_CASE("repository references: random mutations never yield names outside the allowed set") {
    const std::string seeds[] = {"https://user:pw@github.com:8443/acme/webshop.git/tree/main?x=1#y",
                                 "git@[::1]:acme/web%2Fshop.git", "ssh://git@bitbucket.org/acme/repo", "acme/repo"};
    const std::string alphabet = "/:@.%2Fa-_[]?#\\ \x01\xc3\xa9~!$&'()*+,;=";
    std::uint32_t state = 12345;
    const auto next = [&state] {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    const auto name_ok = [](const std::string& s) {
        return !s.empty() && s.size() <= 100 && s != "." && s != ".." &&
               s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                   std::string::npos;
    };
    int parsed = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string s = seeds[next() % 4];
        const int edits = 1 + static_cast<int>(next() % 4);
        for (int e = 0; e < edits && !s.empty(); ++e) {
            const auto pos = next() % s.size();
            switch (next() % 3) {
                case 0: s.erase(pos, 1); break;
                case 1: s.insert(pos, 1, alphabet[next() % alphabet.size()]); break;
                default: s[pos] = alphabet[next() % alphabet.size()]; break;
            }
        }
        const auto r = tjc::mapping::parse_repo_ref(s);
        if (!r) {
            CHECK(r.error().find("pw@") == std::string::npos);
            continue;
        }
        ++parsed;
        CAPTURE(s);
        CHECK(name_ok(r->org));
        CHECK(name_ok(r->repo));
        CHECK(r->host.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ@/ ") == std::string::npos);
    }
    CHECK(parsed > 1000);  // the mutations keep many inputs valid, so the invariants were exercised
}
