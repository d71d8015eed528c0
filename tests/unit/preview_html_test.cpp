// The preview page (GET /preview of `tj-host serve`), rendered from plain input: each card type
// as the ToolJump bar draws it, status classes, escaping of every string, hrefs for http(s)
// only, the form, the summary and the mapping, and nothing fetched from anywhere else.
#include "preview_html.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace json = boost::json;
using tjhost::PreviewInput;
using tjhost::PreviewMapping;
using tjhost::render_preview_html;

namespace {

bool has(std::string_view page, std::string_view needle) { return page.find(needle) != std::string_view::npos; }

std::size_t count(std::string_view page, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = page.find(needle); at != std::string_view::npos; at = page.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

// The element that starts at the first occurrence of `marker`: from its '<' to the end of its
// start tag, so a test can look at one card's attributes without a DOM.
std::string start_tag(std::string_view page, std::string_view marker) {
    const auto at = page.find(marker);
    REQUIRE_MESSAGE(at != std::string_view::npos, "no " << marker);
    const auto open = page.rfind('<', at);
    const auto close = page.find('>', at);
    return std::string(page.substr(open, close - open + 1));
}

// The text between the first `from` and the next `to` after it.
std::string between(std::string_view page, std::string_view from, std::string_view to) {
    const auto a = page.find(from);
    REQUIRE_MESSAGE(a != std::string_view::npos, "no " << from);
    const auto b = page.find(to, a + from.size());
    REQUIRE_MESSAGE(b != std::string_view::npos, "no " << to);
    return std::string(page.substr(a + from.size(), b - a - from.size()));
}

PreviewInput with_cards(json::array cards) {
    PreviewInput in;
    in.repo = "acme/failing";
    in.response = json::object{{"data", std::move(cards)},
                               {"count", 1},
                               {"cacheHits", 0},
                               {"failedCount", 0},
                               {"timestamp", "2026-11-28T12:00:00.000Z"},
                               {"integrationNames", json::array{"circleci"}}};
    return in;
}

}  // namespace

TEST_CASE("a page is one HTML5 document with its style inline") {
    const auto page = render_preview_html(with_cards({}));
    CHECK(page.starts_with("<!DOCTYPE html>"));
    CHECK(has(page, "<meta charset=\"utf-8\">"));
    CHECK(count(page, "<style>") == 1);
    CHECK(has(page, "</html>"));
    CHECK(has(page, "<title>ToolJump preview: acme/failing</title>"));
}

TEST_CASE("a text card is a chip with its status, icon and tooltip") {
    const auto page =
        render_preview_html(with_cards({json::object{{"type", "text"},
                                                     {"content", "CircleCI main: failing since 3 pipelines"},
                                                     {"status", "important"},
                                                     {"icon", "circleci"},
                                                     {"tooltip", "build: failed"}}}));
    const auto tag = start_tag(page, R"(class="tj-card tj-text)");
    CHECK(tag.starts_with("<span "));
    CHECK(has(tag, R"(data-type="text")"));
    CHECK(has(tag, R"(data-status="important")"));
    CHECK(has(tag, "tj-st-important"));
    CHECK(has(tag, R"(title="build: failed")"));
    CHECK_FALSE(has(tag, "href"));
    CHECK(has(page, R"(<span class="tj-label">CircleCI main: failing since 3 pipelines</span>)"));
    CHECK(has(page, R"(<span class="tj-tip" role="tooltip">build: failed</span>)"));
    CHECK(has(page, R"(<span class="tj-icon" data-icon="circleci" aria-hidden="true">CI</span>)"));
}

TEST_CASE("an icon is a small badge: known names have their own, others two ASCII letters of the name") {
    const auto badge = [](const std::string& icon) {
        const auto page =
            render_preview_html(with_cards({json::object{{"type", "text"}, {"content", "c"}, {"icon", icon}}}));
        const auto badge_span = between(page, R"(<span class="tj-icon")", "</span>");
        return badge_span.substr(badge_span.find('>') + 1);
    };
    CHECK(badge("circleci") == "CI");
    CHECK(badge("github") == "GH");
    CHECK(badge("link") == "\xE2\x86\x97");
    CHECK(badge("slack") == "SL");
    CHECK(badge("\xC3\xBC"
                "ber-x") == "BE");  // "über-x": never half of the two-byte u-umlaut
    CHECK(badge("\xC3\xBC") == "\xE2\x80\xA2");
}

TEST_CASE("a link card is an anchor that opens a new tab without an opener") {
    const auto page = render_preview_html(
        with_cards({json::object{{"type", "link"},
                                 {"content", "Insights"},
                                 {"href", "https://app.circleci.com/insights/github/acme/failing"}}}));
    const auto tag = start_tag(page, R"(class="tj-card tj-link)");
    CHECK(tag.starts_with("<a "));
    CHECK(has(tag, R"(data-type="link")"));
    CHECK(has(tag, R"(href="https://app.circleci.com/insights/github/acme/failing")"));
    CHECK(has(tag, R"(target="_blank")"));
    CHECK(has(tag, R"(rel="noopener noreferrer")"));
    // No status given: neutral, and no tooltip element or title.
    CHECK(has(tag, R"(data-status="none")"));
    CHECK(has(tag, "tj-st-none"));
    CHECK_FALSE(has(tag, "title="));
    CHECK_FALSE(has(page, R"(class="tj-tip")"));
}

TEST_CASE("each status has its class, an unknown one is drawn neutral") {
    json::array cards;
    for (const char* st : {"important", "relevant", "success", "none", "purple"}) {
        cards.push_back(json::object{{"type", "text"}, {"content", std::string("s-") + st}, {"status", st}});
    }
    const auto page = render_preview_html(with_cards(std::move(cards)));
    const auto bar = between(page, R"(<nav class="tj-bar")", "</nav>");
    CHECK(count(bar, R"(data-status="important")") == 1);
    CHECK(count(bar, R"(data-status="relevant")") == 1);
    CHECK(count(bar, R"(data-status="success")") == 1);
    CHECK(count(bar, R"(data-status="none")") == 2);
    CHECK_FALSE(has(page, "purple\""));
    // Colours: the stylesheet gives each status class its own colour.
    for (const char* cls : {".tj-st-important{", ".tj-st-relevant{", ".tj-st-success{"}) {
        CAPTURE(cls);
        CHECK(has(page, cls));
    }
    CHECK(has(between(page, ".tj-st-important{", "}"), "var(--red)"));
    CHECK(has(between(page, ".tj-st-relevant{", "}"), "var(--amber)"));
    CHECK(has(between(page, ".tj-st-success{", "}"), "var(--green)"));
}

TEST_CASE("cards keep the order of the data array") {
    const auto page = render_preview_html(
        with_cards({json::object{{"type", "text"}, {"content", "first-card"}},
                    json::object{{"type", "link"}, {"content", "second-card"}, {"href", "https://x.test/"}},
                    json::object{{"type", "text"}, {"content", "third-card"}}}));
    const auto a = page.find("first-card");
    const auto b = page.find("second-card");
    const auto c = page.find("third-card");
    REQUIRE(a != std::string::npos);
    CHECK(a < b);
    CHECK(b < c);
    CHECK(count(page, R"(class="tj-card )") == 3);
}

TEST_CASE("a dropdown opens its items without a script, each item with its own status and tooltip") {
    const auto page = render_preview_html(with_cards({json::object{
        {"type", "dropdown"},
        {"content", "Recent pipelines"},
        {"icon", "circleci"},
        {"tooltip", "the last 2"},
        {"items", json::array{json::object{{"content", "#12 failed"},
                                           {"href", "https://app.circleci.com/pipelines/github/acme/failing/12"},
                                           {"status", "important"},
                                           {"tooltip", "fix: the tests"}},
                              json::object{{"content", "#11 passed"},
                                           {"href", "https://app.circleci.com/pipelines/github/acme/failing/11"},
                                           {"status", "success"}}}}}}));
    const auto tag = start_tag(page, R"(class="tj-card tj-dropdown)");
    CHECK(tag.starts_with("<details "));
    CHECK(has(tag, R"(data-type="dropdown")"));
    CHECK(has(tag, R"(data-status="none")"));
    CHECK(has(page, R"(<summary title="the last 2">)"));
    const auto menu = between(page, R"(<ul class="tj-menu">)", "</ul>");
    CHECK(count(menu, R"(class="tj-item)") == 2);
    CHECK(has(start_tag(menu, R"(class="tj-item tj-st-important")"),
              R"(href="https://app.circleci.com/pipelines/github/acme/failing/12")"));
    CHECK(has(start_tag(menu, R"(class="tj-item tj-st-important")"), R"(title="fix: the tests")"));
    CHECK(has(start_tag(menu, R"(class="tj-item tj-st-important")"), R"(target="_blank")"));
    CHECK(has(start_tag(menu, R"(class="tj-item tj-st-success")"), R"(data-status="success")"));
    CHECK_FALSE(has(start_tag(menu, R"(class="tj-item tj-st-success")"), "title="));
    CHECK(has(menu, R"(<span class="tj-tip" role="tooltip">fix: the tests</span>)"));
    // The menu is CSS only: no script anywhere (the server's CSP would block it).
    CHECK_FALSE(has(page, "<script"));
}

TEST_CASE("every string is escaped, in text and in attributes") {
    const std::string evil = R"(<script>alert("x")</script> & 'q')";
    const std::string escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;";
    auto in = with_cards(
        {json::object{{"type", "text"}, {"content", evil}, {"tooltip", evil}, {"icon", evil}},
         json::object{{"type", "dropdown"},
                      {"content", evil},
                      {"items", json::array{json::object{
                                    {"content", evil}, {"href", "https://x.test/?a=1&b='x'"}, {"tooltip", evil}}}}}});
    in.repo = evil;
    in.service = evil;
    in.branch = evil;
    in.commit = evil;
    in.error = evil;
    in.mappings = {
        PreviewMapping{evil, "", evil},
        PreviewMapping{
            "circleci",
            json::serialize(json::object{{"projects", json::array{json::object{{"slug", evil}, {"rule", evil}}}}}),
            ""}};
    const auto page = render_preview_html(in);
    CHECK_FALSE(has(page, "<script"));
    CHECK_FALSE(has(page, "\"x\""));
    CHECK_FALSE(has(page, "'q'"));
    CHECK(count(page, escaped) >= 12);
    // A valid URL keeps its query, escaped; one with a raw quote or bracket is not a URL at all.
    CHECK(has(page, R"(href="https://x.test/?a=1&amp;b=&#39;x&#39;")"));
    // The title attribute cannot be broken out of.
    CHECK(has(page, R"(title=")" + escaped + "\""));
    CHECK(has(page, R"(value=")" + escaped + "\""));
}

TEST_CASE("an href that is not an absolute http(s) URL is dropped") {
    const char* bad[] = {"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>",
                         "/preview?repo=x",     "//evil.test/",        "http:nohost",
                         "ftp://files.test/x",  "not a url",           "https://x.test/?a=\"><script>"};
    for (const char* href : bad) {
        CAPTURE(href);
        const auto page = render_preview_html(
            with_cards({json::object{{"type", "link"}, {"content", "the-link"}, {"href", href}},
                        json::object{{"type", "dropdown"},
                                     {"content", "menu"},
                                     {"items", json::array{json::object{{"content", "the-item"}, {"href", href}}}}}}));
        CHECK_FALSE(has(page, "href="));
        CHECK_FALSE(has(page, "target="));
        // Still drawn, as a chip without a target.
        CHECK(has(page, "the-link"));
        CHECK(has(page, "the-item"));
    }
    const auto upper = render_preview_html(
        with_cards({json::object{{"type", "link"}, {"content", "l"}, {"href", "HTTPS://App.test/x"}}}));
    CHECK(has(upper, R"(href="HTTPS://App.test/x")"));
    const auto plain = render_preview_html(
        with_cards({json::object{{"type", "link"}, {"content", "l"}, {"href", "http://127.0.0.1:8080/x"}}}));
    CHECK(has(plain, R"(href="http://127.0.0.1:8080/x")"));
}

TEST_CASE("the form asks GET /preview, prefilled from the input") {
    auto in = with_cards({});
    in.service = "checkout";
    in.branch = "feature/x";
    in.commit = "0123abc";
    const auto page = render_preview_html(in);
    const auto form = start_tag(page, "<form");
    CHECK(has(form, R"(method="get")"));
    CHECK(has(form, R"(action="/preview")"));
    CHECK(has(page, R"(name="repo" value="acme/failing")"));
    CHECK(has(page, R"(name="service" value="checkout")"));
    CHECK(has(page, R"(name="branch" value="feature/x")"));
    CHECK(has(page, R"(name="commit" value="0123abc")"));
    CHECK(has(page, R"(<button type="submit">)"));
}

TEST_CASE("an empty repo renders the form only") {
    PreviewInput in;
    in.response = json::object{{"data", json::array{json::object{{"type", "text"}, {"content", "should-not-show"}}}}};
    in.mappings = {PreviewMapping{"circleci", R"({"projects":[]})", ""}};
    const auto page = render_preview_html(in);
    CHECK(has(page, "<form"));
    CHECK(has(page, R"(name="repo" value="")"));
    CHECK_FALSE(has(page, R"(class="tj-bar")"));
    CHECK_FALSE(has(page, "should-not-show"));
    CHECK_FALSE(has(page, R"(class="tj-summary")"));
    CHECK_FALSE(has(page, R"(class="tj-mapping")"));
    CHECK(has(page, "<title>ToolJump preview</title>"));
}

TEST_CASE("a request error is shown above the form") {
    PreviewInput in;
    in.error = "repo: not a repository URL";
    const auto page = render_preview_html(in);
    const auto err = page.find(R"(<p class="tj-error" role="alert">repo: not a repository URL</p>)");
    REQUIRE(err != std::string::npos);
    CHECK(err < page.find("<form"));
    CHECK_FALSE(has(render_preview_html(PreviewInput{}), R"(class="tj-error")"));
}

TEST_CASE("an integration's error card is drawn like any card") {
    const auto page = render_preview_html(
        with_cards({json::object{{"type", "text"}, {"content", "circleci: token rejected"}, {"status", "important"}}}));
    const auto tag = start_tag(page, "tj-card tj-text");
    CHECK(has(tag, R"(data-status="important")"));
    CHECK(has(page, "circleci: token rejected"));
}

TEST_CASE("the summary shows count, cache hits, failures, integrations and the timestamp") {
    auto in = with_cards({});
    in.response.as_object()["count"] = 7;
    in.response.as_object()["cacheHits"] = 2;
    in.response.as_object()["failedCount"] = 1;
    in.response.as_object()["integrationNames"] = json::array{"circleci", "other"};
    const auto page = render_preview_html(in);
    CHECK(has(page, R"(<div data-key="count"><dt>count</dt><dd>7</dd></div>)"));
    CHECK(has(page, R"(<div data-key="cacheHits"><dt>cache hits</dt><dd>2</dd></div>)"));
    CHECK(has(page, R"(<div data-key="failedCount"><dt>failed</dt><dd>1</dd></div>)"));
    CHECK(has(page, R"(<div data-key="integrationNames"><dt>integrations</dt><dd>circleci, other</dd></div>)"));
    CHECK(has(page, R"(<div data-key="timestamp"><dt>timestamp</dt><dd>2026-11-28T12:00:00.000Z</dd></div>)"));
    CHECK(has(page, R"(<span class="tj-empty">no cards</span>)"));
}

TEST_CASE("a repo without a response says so instead of drawing an empty bar") {
    PreviewInput in;
    in.repo = "acme/x";
    const auto page = render_preview_html(in);
    CHECK(has(page, "No results for this context."));
    CHECK_FALSE(has(page, R"(class="tj-bar")"));
}

TEST_CASE("the mapping: a table of slug and rule, the raw JSON, or the message") {
    auto in = with_cards({});
    const json::object resolved{
        {"projects", json::array{json::object{{"slug", "gh/acme/failing"},
                                              {"rule", "config.yaml:12:7"},
                                              {"ruleName", "payments"},
                                              {"branch", "release-1"},
                                              {"tokenSecret", "CIRCLECI_TOKEN"},
                                              {"filters", json::object{{"service", "checkout"}}}},
                                 json::object{{"rule", "organizations[0]"},
                                              {"tokenSecret", "CIRCLECI_TOKEN"},
                                              {"filters", json::object{}},
                                              {"lookup", json::object{{"nameSlug", "gh/acme/app"}}}}}}};
    in.mappings = {
        PreviewMapping{"circleci", json::serialize(resolved), ""},
        PreviewMapping{"nothing", R"({"projects":[],"reason":"no rule and no convention for gitlab.com"})", ""},
        PreviewMapping{"other", "", "does not match this context"}, PreviewMapping{"broken", "{not json", ""}};
    const auto page = render_preview_html(in);

    const auto circleci = between(page, R"(<article class="tj-mapping" data-integration="circleci">)", "</article>");
    CHECK(has(circleci, "<h3>circleci</h3>"));
    CHECK(count(circleci, R"(<tr class="tj-project">)") == 2);
    CHECK(has(circleci, "<td>gh/acme/failing</td><td>config.yaml:12:7</td><td>payments</td><td>release-1</td>"));
    CHECK(has(circleci, "<td><code>{&quot;service&quot;:&quot;checkout&quot;}</code></td>"));
    CHECK(has(circleci, "<td>lookup: gh/acme/app</td>"));
    // Columns no project fills are left out.
    CHECK(has(circleci, "<th>rule name</th>"));
    CHECK_FALSE(has(circleci, "<th>commit</th>"));
    CHECK_FALSE(has(circleci, "<th>cards</th>"));
    // The raw JSON, pretty-printed: one key a line.
    const auto raw = between(circleci, R"(<pre class="tj-json">)", "</pre>");
    CHECK(has(raw, "{\n  &quot;projects&quot;: [\n    {\n      &quot;slug&quot;: &quot;gh/acme/failing&quot;,\n"));

    const auto nothing = between(page, R"(data-integration="nothing">)", "</article>");
    CHECK(has(nothing, "No project: no rule and no convention for gitlab.com"));
    const auto other = between(page, R"(data-integration="other">)", "</article>");
    CHECK(has(other, R"(<p class="tj-mapping-message">does not match this context</p>)"));
    CHECK_FALSE(has(other, "<table"));
    const auto broken = between(page, R"(data-integration="broken">)", "</article>");
    CHECK(has(broken, "did not return JSON"));
    CHECK(has(broken, "{not json"));
}

TEST_CASE("the pretty-printed resolve JSON is the same JSON") {
    auto in = with_cards({});
    const json::value resolved = json::parse(
        R"({"projects":[{"slug":"gh/a/b","rule":"r","filters":{"workflows":["deploy-*"],"parameters":{"k":"v \"q\""}},"cards":[]}],"n":1.5,"t":true,"z":null})");
    in.mappings = {PreviewMapping{"circleci", json::serialize(resolved), ""}};
    const auto page = render_preview_html(in);
    std::string raw = between(page, R"(<pre class="tj-json">)", "</pre>");
    // Undo the HTML escaping (the only entities the renderer writes).
    for (const auto& [entity, ch] : {std::pair<std::string, std::string>{"&quot;", "\""},
                                     {"&#39;", "'"},
                                     {"&lt;", "<"},
                                     {"&gt;", ">"},
                                     {"&amp;", "&"}}) {
        for (auto at = raw.find(entity); at != std::string::npos; at = raw.find(entity, at + ch.size())) {
            raw.replace(at, entity.size(), ch);
        }
    }
    CHECK(json::parse(raw) == resolved);
    CHECK(count(raw, "\n") > 10);
}

TEST_CASE("nothing in the page comes from elsewhere: only card hrefs name a URL") {
    auto in = with_cards(
        {json::object{{"type", "link"}, {"content", "l"}, {"href", "https://app.circleci.com/x"}},
         json::object{{"type", "dropdown"},
                      {"content", "d"},
                      {"icon", "github"},
                      {"items", json::array{json::object{{"content", "i"}, {"href", "https://app.circleci.com/y"}}}}}});
    in.mappings = {PreviewMapping{"circleci", R"({"projects":[{"slug":"gh/acme/failing","rule":"convention"}]})", ""}};
    in.error = "an error";
    const auto page = render_preview_html(in);
    CHECK_FALSE(has(page, "src="));
    CHECK_FALSE(has(page, "<script"));
    CHECK_FALSE(has(page, "<link"));
    CHECK_FALSE(has(page, "@import"));
    CHECK_FALSE(has(page, "url("));
    CHECK_FALSE(has(page, "<img"));
    CHECK_FALSE(has(page, "<iframe"));
    // Every "http" in the page is one of the two card hrefs: in an href, or written out in the
    // card details.
    std::size_t urls = 0;
    for (auto at = page.find("http"); at != std::string::npos; at = page.find("http", at + 1)) {
        ++urls;
        const auto before = page.substr(0, at);
        CAPTURE(page.substr(at, 40));
        CHECK((before.ends_with("href=\"") || before.ends_with(R"(<code class="tj-url">)")));
        CHECK(page.substr(at).starts_with("https://app.circleci.com/"));
    }
    CHECK(urls == 4);
    CHECK(count(page, R"(href="https://app.circleci.com/)") == 2);
}

TEST_CASE("the card details write out what the bar shows on hover: tooltips, hrefs, items") {
    const auto page = render_preview_html(
        with_cards({json::object{{"type", "link"},
                                 {"content", "CircleCI main: passed"},
                                 {"status", "success"},
                                 {"href", "https://app.circleci.com/p/1"},
                                 {"tooltip", "build: success\ntest: success"}},
                    json::object{{"type", "dropdown"},
                                 {"content", "Recent pipelines"},
                                 {"items", json::array{json::object{{"content", "#2 failed"},
                                                                    {"href", "https://app.circleci.com/p/2"},
                                                                    {"status", "important"},
                                                                    {"tooltip", "subject two"}}}}}}));
    const auto details = between(page, R"(<table class="tj-details">)", "</table>");
    CHECK(count(details, R"(<tr class="tj-detail")") == 2);
    CHECK(has(details, R"(<tr class="tj-detail" data-status="success"><td>1</td>)"));
    CHECK(has(details, R"(<td class="tj-pre">build: success)"
                       "\n"
                       "test: success</td>"));
    CHECK(has(details, R"(<code class="tj-url">https://app.circleci.com/p/1</code>)"));
    const auto items = between(details, R"(<ul class="tj-detail-items">)", "</ul>");
    CHECK(has(
        items,
        R"(<span class="tj-dot tj-st-important"></span>#2 failed <code class="tj-url">https://app.circleci.com/p/2</code>)"));
    CHECK(has(items, R"(<div class="tj-pre tj-muted">subject two</div>)"));
    // No cards, no details table.
    CHECK_FALSE(has(render_preview_html(with_cards({})), R"(<table class="tj-details">)"));
}
