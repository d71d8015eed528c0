// The preview page in a real browser (issue 7, part 5): the CircleCI test server and
// `tj-host serve` run as processes, headless Chromium loads GET /preview from the server, and
// the DOM Chromium built must hold the cards the plugin gave for the fixture repo. A
// screenshot is saved under the build folder (tests/browser/preview*.png) for a person to look at.
// Chromium is told to resolve no host but 127.0.0.1, so nothing but the loopback servers is reached.
#include "background_process.hpp"
#include "subprocess.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <boost/url.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

const std::string kOut = TJC_BROWSER_OUT_DIR;

// --- The servers ---------------------------------------------------------------------------

// Per test process (ctest runs cases in parallel, and two Chromiums must not share a
// profile); removed when the process ends. The screenshots stay in kOut.
struct ScratchDir {
    std::string path = kOut + "/scratch-" + std::to_string(getpid());
    ScratchDir() { fs::create_directories(path); }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};
const ScratchDir scratch;

const std::string& scratch_dir() { return scratch.path; }

json::object parse_ready_line(const std::string& line, const std::string& who, const std::string& log) {
    INFO(who << " printed: " << line << "\n" << who << " stderr: " << log);
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(v.is_object());
    return v.as_object();
}

// The CircleCI test server (real TLS on loopback, the fixture world) and `tj-host serve`
// with the built plugin configured for it.
struct Servers {
    tjtest::BackgroundProcess circleci;
    std::string config_path;
    std::unique_ptr<tjtest::BackgroundProcess> host;
    std::string base;  // http://127.0.0.1:PORT

    Servers()
        : circleci({TJC_TEST_SERVER_EXE, "--world", TJC_FIXTURES_DIR "/world.json", "--port", "0", "--shift-times",
                    "--cert-dir", scratch_dir()},
                   {}, scratch_dir() + "/circleci-test-server.log") {
        const auto ready = parse_ready_line(circleci.first_line(), "circleci-test-server", circleci.log());
        config_path = scratch_dir() + "/config.yaml";
        std::ofstream(config_path) << "circleci:\n  api_url: " << ready.at("base_url").as_string().c_str()
                                   << "\ntls:\n  ca_file: " << ready.at("ca_file").as_string().c_str() << "\n";
        host = std::make_unique<tjtest::BackgroundProcess>(
            std::vector<std::string>{TJ_HOST_PATH, "serve", "--plugin", TJC_PLUGIN_PATH, "--config", config_path,
                                     "--listen", "127.0.0.1:0"},
            // No server token: /preview is asked without one, as an admin's browser would.
            std::map<std::string, std::string>{{"INTEGRATION_CIRCLECI_TOKEN", "test-token"},
                                               {"TOOLJUMP_SERVER_TOKEN", "\x01unset"}},
            scratch_dir() + "/tj-host-serve.log");
        const auto listening = parse_ready_line(host->first_line(), "tj-host serve", host->log());
        base = std::string(listening.at("listening").as_string());
        REQUIRE(base.starts_with("http://127.0.0.1:"));
    }

    // GET /preview with the query's parameters, encoded by Boost.URL.
    std::string preview_url(const std::vector<std::pair<std::string, std::string>>& query) const {
        boost::urls::url u(base);
        u.set_path("/preview");
        for (const auto& [k, v] : query) {
            u.params().append({k, v});
        }
        return std::string(u.buffer());
    }
};

// --- Chromium --------------------------------------------------------------------------------

std::vector<std::string> chromium(std::vector<std::string> extra) {
    std::vector<std::string> args = {TJC_CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                                     "--user-data-dir=" + scratch_dir() + "/chromium-profile", "--no-first-run",
                                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                     "--disable-extensions", "--no-proxy-server",
                                     // Every name fails to resolve but the servers' loopback address.
                                     "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

void require_chromium() {
    REQUIRE_MESSAGE(fs::exists(TJC_CHROMIUM),
                    "Chromium not found (" TJC_CHROMIUM "): scripts/install-deps.sh installs Debian's chromium");
}

// The DOM as Chromium built it after loading the page (its serialization of the document).
std::string dump_dom(const std::string& url) {
    require_chromium();
    // The timeout is a safety net for a hung browser, not a measurement.
    const auto r = tjtest::run_process(chromium({"--dump-dom", url}), {}, 120s);
    INFO("chromium stderr: " << r.err);
    REQUIRE_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.out.find("<html") != std::string::npos);
    return r.out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Saves a 1280x900 screenshot and checks it is a PNG of that size with something drawn.
void screenshot(const std::string& url, const std::string& png) {
    require_chromium();
    fs::remove(png);
    const auto r = tjtest::run_process(chromium({"--window-size=1280,900", "--screenshot=" + png, url}), {}, 120s);
    INFO("chromium stderr: " << r.err);
    REQUIRE_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
    const auto bytes = read_file(png);
    REQUIRE(bytes.size() > 24);
    CHECK(bytes.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    auto be32 = [&](std::size_t at) {
        std::uint32_t v = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
        }
        return v;
    };
    CHECK(be32(16) == 1280);
    CHECK(be32(20) == 900);
    // A blank 1280x900 page compresses to about 5 KB; the preview with its cards to far more.
    CHECK(bytes.size() > 20000);
}

// --- Reading the DOM ------------------------------------------------------------------------

struct Element {
    std::string start;  // the start tag, attributes included
    std::string inner;  // up to the matching end tag
};

// Each element whose start tag contains `marker`, with its content up to the end tag that
// closes it (same-name tags nested inside are counted).
std::vector<Element> elements(std::string_view dom, std::string_view marker) {
    std::vector<Element> out;
    for (auto at = dom.find(marker); at != std::string_view::npos; at = dom.find(marker, at + 1)) {
        const auto open = dom.rfind('<', at);
        const auto start_end = dom.find('>', at);
        const auto name_end = dom.find_first_of(" >", open);
        const std::string name(dom.substr(open + 1, name_end - open - 1));
        int depth = 1;
        auto pos = start_end + 1;
        while (depth > 0) {
            const auto next_open = dom.find("<" + name, pos);
            const auto next_close = dom.find("</" + name + ">", pos);
            if (next_close == std::string_view::npos) {
                break;
            }
            if (next_open != std::string_view::npos && next_open < next_close) {
                ++depth;
                pos = next_open + 1;
            } else {
                if (--depth == 0) {
                    out.push_back({std::string(dom.substr(open, start_end - open + 1)),
                                   std::string(dom.substr(start_end + 1, next_close - start_end - 1))});
                }
                pos = next_close + 1;
            }
        }
    }
    return out;
}

std::string attr(const std::string& start, const std::string& name) {
    const auto key = " " + name + "=\"";
    const auto at = start.find(key);
    if (at == std::string::npos) {
        return {};
    }
    const auto end = start.find('"', at + key.size());
    return start.substr(at + key.size(), end - at - key.size());
}

std::string label(const Element& e) {
    const auto spans = elements(e.inner, R"(class="tj-label")");
    return spans.empty() ? std::string() : spans.front().inner;
}

std::string cards_seen(const std::vector<Element>& cards) {
    std::string out;
    for (const auto& c : cards) {
        out += attr(c.start, "data-type") + "/" + attr(c.start, "data-status") + " " + label(c) + "\n";
    }
    return out;
}

const Element* find_card(const std::vector<Element>& cards, std::string_view label_prefix) {
    for (const auto& c : cards) {
        if (label(c).starts_with(label_prefix)) {
            return &c;
        }
    }
    return nullptr;
}

}  // namespace

TEST_CASE("GET /preview in headless Chromium: the bar of acme/failing, its summary and its mapping") {
    Servers servers;
    const auto url = servers.preview_url({{"repo", "acme/failing"}});
    const auto dom = dump_dom(url);
    INFO("tj-host serve stderr: " << servers.host->log());

    const auto cards = elements(dom, R"(class="tj-card )");
    INFO("cards:\n" << cards_seen(cards));
    REQUIRE(cards.size() >= 3);

    // The status card: red, linked to the project's pipelines on the CircleCI app.
    const auto* status = find_card(cards, "CircleCI main: failing for 3 pipelines");
    REQUIRE(status);
    CHECK(attr(status->start, "data-status") == "important");
    CHECK(attr(status->start, "class").find("tj-st-important") != std::string::npos);
    CHECK(attr(status->start, "href").starts_with("https://app.circleci.com/pipelines/github/acme/failing/"));
    CHECK(attr(status->start, "target") == "_blank");
    CHECK_FALSE(attr(status->start, "title").empty());
    CHECK(status->inner.find(R"(class="tj-icon")") != std::string::npos);

    // The recent pipelines: a dropdown whose items are links with their own status.
    const auto* pipelines = find_card(cards, "Recent pipelines");
    REQUIRE(pipelines);
    CHECK(pipelines->start.starts_with("<details"));
    CHECK(attr(pipelines->start, "data-type") == "dropdown");
    const auto items = elements(pipelines->inner, R"(class="tj-item )");
    REQUIRE(items.size() >= 2);
    bool some_failed = false;
    for (const auto& item : items) {
        CHECK(attr(item.start, "href").starts_with("https://app.circleci.com/pipelines/github/acme/failing/"));
        some_failed = some_failed || attr(item.start, "data-status") == "important";
    }
    CHECK(some_failed);

    // Every card is drawn, and each link card leads to the CircleCI app.
    for (const auto& c : cards) {
        const auto type = attr(c.start, "data-type");
        CHECK((type == "text" || type == "link" || type == "dropdown"));
        if (type == "link") {
            CHECK(attr(c.start, "href").starts_with("https://app.circleci.com/"));
        }
    }

    // The summary and the mapping below the bar.
    const auto count = elements(dom, R"(data-key="count")");
    REQUIRE(count.size() == 1);
    CHECK(count.front().inner.find("<dd>" + std::to_string(cards.size()) + "</dd>") != std::string::npos);
    const auto mapping = elements(dom, R"(data-integration="circleci")");
    REQUIRE(mapping.size() == 1);
    CHECK(mapping.front().inner.find("<td>gh/acme/failing</td>") != std::string::npos);
    // The form is prefilled with the repo asked about.
    CHECK(dom.find(R"(name="repo" value="acme/failing")") != std::string::npos);
    // No script ran or was needed: the page holds none.
    CHECK(dom.find("<script") == std::string::npos);

    screenshot(url, kOut + "/preview.png");
}

TEST_CASE("GET /preview in headless Chromium: a branch page, and a project CircleCI does not know") {
    Servers servers;
    {
        const auto dom = dump_dom(servers.preview_url({{"repo", "acme/branches"}, {"branch", "2024011"}}));
        INFO("tj-host serve stderr: " << servers.host->log());
        const auto cards = elements(dom, R"(class="tj-card )");
        INFO("cards:\n" << cards_seen(cards));
        REQUIRE(find_card(cards, "CircleCI 2024011: passed"));
        CHECK(dom.find(R"(name="branch" value="2024011")") != std::string::npos);
    }
    {
        // The fixture world has no such project, which the github.com convention named: the
        // plugin's neutral card (a repo without CircleCI is no error), with the slug.
        const auto url = servers.preview_url({{"repo", "acme/no-such-project"}});
        const auto dom = dump_dom(url);
        INFO("tj-host serve stderr: " << servers.host->log());
        const auto cards = elements(dom, R"(class="tj-card )");
        INFO("cards:\n" << cards_seen(cards));
        REQUIRE_FALSE(cards.empty());
        bool no_project = false;
        for (const auto& c : cards) {
            // The slug and the convention are in its tooltip.
            no_project = no_project || (attr(c.start, "data-status") == "none" &&
                                        label(c).find("CircleCI: no project") != std::string::npos &&
                                        attr(c.start, "title").find("gh/acme/no-such-project") != std::string::npos);
        }
        CHECK(no_project);
        screenshot(url, kOut + "/preview-not-found.png");
    }
}
