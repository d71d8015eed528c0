#include "preview_html.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>

#include <string_view>

namespace tjhost {
namespace {

namespace json = boost::json;

// Text and attribute values alike: quotes too, so one function is safe in both places.
std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

// An href is emitted only for an absolute http(s) URL with a host: never javascript:,
// data: or a relative path that would point back at the preview server.
bool is_web_url(std::string_view href) {
    const auto u = boost::urls::parse_absolute_uri(href);
    if (!u) {
        return false;
    }
    const auto scheme = u->scheme_id();
    return (scheme == boost::urls::scheme::http || scheme == boost::urls::scheme::https) && u->has_authority() &&
           !u->host().empty();
}

std::string_view str_field(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// ToolJump's four statuses; anything else is drawn neutral.
std::string_view status_of(const json::object& o) {
    const auto s = str_field(o, "status");
    if (s == "important" || s == "relevant" || s == "success") {
        return s;
    }
    return "none";
}

// A small text badge: CSP forbids remote images, and a name reads well at 10px.
std::string icon_badge(const json::object& o) {
    const auto icon = str_field(o, "icon");
    if (icon.empty()) {
        return {};
    }
    std::string label;
    if (icon == "circleci") {
        label = "CI";
    } else if (icon == "github") {
        label = "GH";
    } else if (icon == "link") {
        label = "\xE2\x86\x97";  // ↗
    } else {
        // Two ASCII letters or digits of the name: a byte cut could split a UTF-8 character.
        for (const char c : icon) {
            if (label.size() == 2) {
                break;
            }
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                label += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
            }
        }
        if (label.empty()) {
            label = "\xE2\x80\xA2";  // •
        }
    }
    return R"(<span class="tj-icon" data-icon=")" + escape(icon) + R"(" aria-hidden="true">)" + escape(label) +
           "</span>";
}

// title= for the browser's own tooltip and for tests; .tj-tip shows it at once on hover/focus.
std::string title_attr(const json::object& o) {
    const auto tip = str_field(o, "tooltip");
    return tip.empty() ? std::string() : R"( title=")" + escape(tip) + '"';
}
std::string tip_span(const json::object& o) {
    const auto tip = str_field(o, "tooltip");
    return tip.empty() ? std::string() : R"(<span class="tj-tip" role="tooltip">)" + escape(tip) + "</span>";
}

std::string link_attrs(std::string_view href) {
    if (!is_web_url(href)) {
        return {};
    }
    return R"( href=")" + escape(href) + R"(" target="_blank" rel="noopener noreferrer")";
}

std::string render_item(const json::value& v) {
    if (!v.is_object()) {
        return {};
    }
    const auto& o = v.get_object();
    const auto st = status_of(o);
    std::string out = R"(<li><a class="tj-item tj-st-)" + std::string(st) + R"(" data-status=")" + std::string(st) +
                      '"' + link_attrs(str_field(o, "href")) + title_attr(o) + R"( tabindex="0">)" + icon_badge(o) +
                      R"(<span class="tj-label">)" + escape(str_field(o, "content")) + "</span>" + tip_span(o) +
                      "</a></li>";
    return out;
}

std::string render_card(const json::value& v) {
    if (!v.is_object()) {
        return {};
    }
    const auto& o = v.get_object();
    const auto type = str_field(o, "type");
    const auto st = std::string(status_of(o));
    const std::string common = R"( data-type=")" + escape(type) + R"(" data-status=")" + st + '"';
    const std::string label =
        icon_badge(o) + R"(<span class="tj-label">)" + escape(str_field(o, "content")) + "</span>";

    if (type == "dropdown") {
        // <details> opens without a script (the server's CSP runs none).
        std::string out = R"(<details class="tj-card tj-dropdown tj-st-)" + st + '"' + common + "><summary" +
                          title_attr(o) + ">" + label +
                          R"(<span class="tj-caret" aria-hidden="true">&#9662;</span></summary>)" + tip_span(o) +
                          R"(<ul class="tj-menu">)";
        if (const auto* items = o.if_contains("items"); items && items->is_array()) {
            for (const auto& item : items->get_array()) {
                out += render_item(item);
            }
        }
        return out + "</ul></details>";
    }
    if (type == "link") {
        return R"(<a class="tj-card tj-link tj-st-)" + st + '"' + common + link_attrs(str_field(o, "href")) +
               title_attr(o) + R"( tabindex="0">)" + label + tip_span(o) + "</a>";
    }
    return R"(<span class="tj-card tj-text tj-st-)" + st + '"' + common + title_attr(o) + R"( tabindex="0">)" + label +
           tip_span(o) + "</span>";
}

// Boost.JSON has no pretty printer; scalars go through its serializer (string escaping).
void pretty(const json::value& v, std::string& out, int depth) {
    const std::string pad(static_cast<std::size_t>(depth + 1) * 2, ' ');
    const std::string close_pad(static_cast<std::size_t>(depth) * 2, ' ');
    if (v.is_object() && !v.get_object().empty()) {
        out += "{\n";
        bool first = true;
        for (const auto& [k, e] : v.get_object()) {
            if (!first) {
                out += ",\n";
            }
            first = false;
            out += pad + json::serialize(json::value(k)) + ": ";
            pretty(e, out, depth + 1);
        }
        out += "\n" + close_pad + "}";
    } else if (v.is_array() && !v.get_array().empty()) {
        out += "[\n";
        bool first = true;
        for (const auto& e : v.get_array()) {
            if (!first) {
                out += ",\n";
            }
            first = false;
            out += pad;
            pretty(e, out, depth + 1);
        }
        out += "\n" + close_pad + "]";
    } else {
        out += json::serialize(v);
    }
}

// A table cell's text: strings as they are, other values as compact JSON, absent as empty.
std::string cell_text(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
        return {};
    }
    if (v->is_string()) {
        return escape(v->get_string());
    }
    if (v->is_object() && v->get_object().empty()) {
        return {};
    }
    return "<code>" + escape(json::serialize(*v)) + "</code>";
}

std::string slug_text(const json::object& o) {
    if (const auto slug = cell_text(o, "slug"); !slug.empty()) {
        return slug;
    }
    // A project still to be looked up has no slug yet: show the name it will be asked by.
    if (const auto* lookup = o.if_contains("lookup"); lookup && lookup->is_object()) {
        return "lookup: " + escape(str_field(lookup->get_object(), "nameSlug"));
    }
    return {};
}

std::string render_projects(const json::array& projects) {
    // Only the columns some project fills: most mappings are a slug and a rule.
    const std::pair<const char*, const char*> columns[] = {
        {"rule", "rule"},       {"ruleName", "rule name"},       {"branch", "branch"}, {"commit", "commit"},
        {"filters", "filters"}, {"tokenSecret", "token secret"}, {"cards", "cards"}};
    std::vector<std::pair<const char*, const char*>> shown;
    for (const auto& column : columns) {
        for (const auto& p : projects) {
            if (p.is_object() && !cell_text(p.get_object(), column.first).empty()) {
                shown.push_back(column);
                break;
            }
        }
    }
    std::string out = R"(<table class="tj-projects"><thead><tr><th>slug</th>)";
    for (const auto& [key, name] : shown) {
        out += "<th>" + std::string(name) + "</th>";
    }
    out += "</tr></thead><tbody>";
    for (const auto& p : projects) {
        if (!p.is_object()) {
            continue;
        }
        const auto& o = p.get_object();
        out += R"(<tr class="tj-project"><td>)" + slug_text(o) + "</td>";
        for (const auto& [key, name] : shown) {
            out += "<td>" + cell_text(o, key) + "</td>";
        }
        out += "</tr>";
    }
    return out + "</tbody></table>";
}

std::string render_mapping(const PreviewMapping& m) {
    std::string out = R"(<article class="tj-mapping" data-integration=")" + escape(m.integration) + R"("><h3>)" +
                      escape(m.integration) + "</h3>";
    if (m.resolve_json.empty()) {
        return out + R"(<p class="tj-mapping-message">)" + escape(m.message) + "</p></article>";
    }
    boost::system::error_code ec;
    const auto v = json::parse(m.resolve_json, ec);
    if (ec) {
        return out + R"(<p class="tj-mapping-message">resolve() did not return JSON:</p><pre class="tj-json">)" +
               escape(m.resolve_json) + "</pre></article>";
    }
    const auto* projects = v.is_object() ? v.get_object().if_contains("projects") : nullptr;
    if (projects && projects->is_array() && !projects->get_array().empty()) {
        out += render_projects(projects->get_array());
    } else if (v.is_object()) {
        const auto reason = str_field(v.get_object(), "reason");
        out += R"(<p class="tj-mapping-message">No project)" + std::string(reason.empty() ? "" : ": ") +
               escape(reason) + "</p>";
    }
    std::string text;
    pretty(v, text, 0);
    return out + R"(<details class="tj-raw"><summary>resolve() JSON</summary><pre class="tj-json">)" + escape(text) +
           "</pre></details></article>";
}

std::string summary_value(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v) {
        return "&ndash;";
    }
    if (v->is_string()) {
        return escape(v->get_string());
    }
    if (v->is_array()) {
        std::string out;
        for (const auto& e : v->get_array()) {
            if (!out.empty()) {
                out += ", ";
            }
            out += e.is_string() ? escape(e.get_string()) : escape(json::serialize(e));
        }
        return out.empty() ? "&ndash;" : out;
    }
    return escape(json::serialize(*v));
}

// What the bar shows only on hover, written out: each card's tooltip, href and items.
std::string url_text(const json::object& o) {
    const auto href = str_field(o, "href");
    return href.empty() ? std::string() : R"(<code class="tj-url">)" + escape(href) + "</code>";
}

std::string render_details(const json::array& cards) {
    std::string out = R"(<table class="tj-details"><thead><tr><th>#</th><th>card</th><th>type</th><th>tooltip</th>)"
                      "<th>link / items</th></tr></thead><tbody>";
    std::size_t n = 0;
    for (const auto& v : cards) {
        ++n;
        if (!v.is_object()) {
            continue;
        }
        const auto& o = v.get_object();
        const auto st = std::string(status_of(o));
        out += R"(<tr class="tj-detail" data-status=")" + st + R"("><td>)" + std::to_string(n) +
               R"(</td><td><span class="tj-dot tj-st-)" + st + R"("></span>)" + escape(str_field(o, "content")) +
               "</td><td>" + escape(str_field(o, "type")) + R"(</td><td class="tj-pre">)" +
               escape(str_field(o, "tooltip")) + "</td><td>" + url_text(o);
        if (const auto* items = o.if_contains("items"); items && items->is_array()) {
            out += R"(<ul class="tj-detail-items">)";
            for (const auto& item : items->get_array()) {
                if (!item.is_object()) {
                    continue;
                }
                const auto& io = item.get_object();
                out += R"(<li><span class="tj-dot tj-st-)" + std::string(status_of(io)) + R"("></span>)" +
                       escape(str_field(io, "content")) + " " + url_text(io);
                if (const auto tip = str_field(io, "tooltip"); !tip.empty()) {
                    out += R"(<div class="tj-pre tj-muted">)" + escape(tip) + "</div>";
                }
                out += "</li>";
            }
            out += "</ul>";
        }
        out += "</td></tr>";
    }
    return out + "</tbody></table>";
}

std::string render_results(const json::value& response) {
    const auto* body = response.if_object();
    const auto* data = body ? body->if_contains("data") : nullptr;
    if (!data || !data->is_array()) {
        return R"(<section class="tj-section"><p class="tj-empty">No results for this context.</p></section>)";
    }
    std::string out = R"(<section class="tj-section"><h2>Bar</h2><nav class="tj-bar" aria-label="ToolJump bar">)"
                      R"(<span class="tj-brand" aria-hidden="true">TJ</span>)";
    for (const auto& card : data->get_array()) {
        out += render_card(card);
    }
    if (data->get_array().empty()) {
        out += R"(<span class="tj-empty">no cards</span>)";
    }
    out += "</nav></section>";

    out += R"(<section class="tj-section"><h2>Summary</h2><dl class="tj-summary">)";
    const std::pair<const char*, const char*> rows[] = {{"count", "count"},
                                                        {"cacheHits", "cache hits"},
                                                        {"failedCount", "failed"},
                                                        {"integrationNames", "integrations"},
                                                        {"timestamp", "timestamp"}};
    for (const auto& [key, name] : rows) {
        out += R"(<div data-key=")" + std::string(key) + R"("><dt>)" + name + "</dt><dd>" + summary_value(*body, key) +
               "</dd></div>";
    }
    return out + "</dl></section>";
}

std::string render_card_details(const json::value& response) {
    const auto* body = response.if_object();
    const auto* data = body ? body->if_contains("data") : nullptr;
    if (!data || !data->is_array() || data->get_array().empty()) {
        return {};
    }
    return R"(<section class="tj-section"><h2>Cards in detail</h2>)" + render_details(data->get_array()) + "</section>";
}

std::string render_form(const PreviewInput& in) {
    auto field = [](const char* name, const char* label, const std::string& value, const char* hint) {
        return R"(<label>)" + std::string(label) + R"(<input name=")" + name + R"(" value=")" + escape(value) +
               R"(" placeholder=")" + hint + R"("></label>)";
    };
    return R"(<form class="tj-form" method="get" action="/preview">)" +
           field("repo", "repo", in.repo, "org/repo or a repository URL") +
           field("service", "service", in.service, "service tag") + field("branch", "branch", in.branch, "branch") +
           field("commit", "commit", in.commit, "commit SHA") + R"(<button type="submit">Preview</button></form>)";
}

constexpr std::string_view kStyle = R"(
:root{--red:#cf222e;--red-bg:#ffebe9;--amber:#9a6700;--amber-bg:#fff8c5;--green:#1a7f37;--green-bg:#dafbe1;
--grey:#57606a;--grey-bg:#f6f8fa;--line:#d0d7de;font-family:"DejaVu Sans",system-ui,sans-serif;font-size:14px;color:#1f2328}
body{margin:0;background:#fff}
header{background:#24292f;color:#fff;padding:12px 20px}
header h1{font-size:16px;margin:0 0 10px;font-weight:600}
header h1 small{color:#8c959f;font-weight:400;margin-left:8px}
.tj-form{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
.tj-form label{display:flex;flex-direction:column;font-size:11px;color:#c9d1d9;gap:2px}
.tj-form input{font:inherit;font-size:13px;padding:4px 8px;border:1px solid #57606a;border-radius:6px;background:#fff;color:#1f2328;width:200px}
.tj-form input[name=repo]{width:300px}
.tj-form button{font:inherit;font-size:13px;padding:5px 14px;border:0;border-radius:6px;background:#2da44e;color:#fff;cursor:pointer}
.tj-error{background:var(--red-bg);color:var(--red);border:1px solid var(--red);border-radius:6px;margin:0 0 10px;padding:6px 10px}
main{padding:0 20px 40px}
h2{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--grey);margin:18px 0 8px}
h3{font-size:14px;margin:12px 0 6px}
.tj-bar{display:flex;flex-wrap:wrap;align-items:center;gap:6px;padding:6px 8px;background:var(--grey-bg);
border:1px solid var(--line);border-radius:8px;min-height:28px}
.tj-brand{font-weight:700;font-size:11px;color:#fff;background:#6639ba;border-radius:4px;padding:2px 5px;margin-right:4px}
.tj-card{position:relative;display:inline-flex;align-items:center;gap:5px;padding:3px 9px;border-radius:14px;
border:1px solid var(--line);background:#fff;color:#1f2328;text-decoration:none;font-size:13px;line-height:18px;white-space:nowrap}
.tj-card::before{content:"";width:8px;height:8px;border-radius:50%;background:#8c959f;flex:none}
details.tj-card{display:inline-block;padding:0}
details.tj-card::before{display:none}
.tj-dropdown>summary{display:flex;align-items:center;gap:5px;padding:3px 9px;cursor:pointer;list-style:none}
.tj-dropdown>summary::-webkit-details-marker{display:none}
.tj-dropdown>summary::before{content:"";width:8px;height:8px;border-radius:50%;background:#8c959f;flex:none}
.tj-caret{color:var(--grey);font-size:10px}
a.tj-card[href]:hover,.tj-dropdown>summary:hover{text-decoration:underline}
.tj-st-important{border-color:var(--red);background:var(--red-bg);color:var(--red)}
.tj-st-relevant{border-color:#d4a72c;background:var(--amber-bg);color:var(--amber)}
.tj-st-success{border-color:#4ac26b;background:var(--green-bg);color:var(--green)}
.tj-card.tj-st-important::before,.tj-st-important>summary::before{background:var(--red)}
.tj-card.tj-st-relevant::before,.tj-st-relevant>summary::before{background:#bf8700}
.tj-card.tj-st-success::before,.tj-st-success>summary::before{background:var(--green)}
.tj-icon{display:inline-block;font-size:9px;font-weight:700;line-height:14px;padding:0 3px;border-radius:3px;background:#343941;color:#fff}
.tj-tip{display:none;position:absolute;z-index:20;top:calc(100% + 6px);left:0;max-width:420px;width:max-content;
white-space:pre-line;background:#24292f;color:#fff;font-size:12px;line-height:16px;padding:6px 8px;border-radius:6px;box-shadow:0 4px 12px #0003}
.tj-card:hover>.tj-tip,.tj-card:focus>.tj-tip,.tj-card:focus-within>.tj-tip{display:block}
.tj-dropdown[open]>.tj-tip{display:none}
.tj-menu{position:absolute;z-index:10;top:calc(100% + 4px);left:0;margin:0;padding:4px 0;list-style:none;background:#fff;
border:1px solid var(--line);border-radius:8px;box-shadow:0 8px 24px #8c959f55;min-width:100%}
.tj-menu li{position:relative}
.tj-item{display:flex;align-items:center;gap:6px;padding:4px 12px;color:#1f2328;text-decoration:none;background:none;border:0}
.tj-item::before{content:"";width:8px;height:8px;border-radius:50%;background:#8c959f;flex:none}
.tj-item.tj-st-important::before{background:var(--red)}
.tj-item.tj-st-relevant::before{background:#bf8700}
.tj-item.tj-st-success::before{background:var(--green)}
.tj-item:hover,.tj-item:focus{background:var(--grey-bg)}
.tj-item>.tj-tip{left:100%;top:0}
.tj-item:hover>.tj-tip,.tj-item:focus>.tj-tip{display:block}
.tj-empty{color:var(--grey);font-style:italic}
.tj-summary{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0}
.tj-summary dt{font-size:11px;color:var(--grey)}
.tj-summary dd{margin:0;font-weight:600}
.tj-mapping{border:1px solid var(--line);border-radius:8px;padding:4px 14px 10px;margin-bottom:10px}
.tj-projects{border-collapse:collapse;font-size:13px}
.tj-projects th,.tj-projects td{border-bottom:1px solid var(--line);padding:4px 10px 4px 0;text-align:left;vertical-align:top}
.tj-projects th{font-size:11px;color:var(--grey);font-weight:600}
.tj-raw summary{cursor:pointer;color:var(--grey);font-size:12px;margin-top:8px}
.tj-details{border-collapse:collapse;font-size:12px;width:100%}
.tj-details th,.tj-details td{border-bottom:1px solid var(--line);padding:5px 10px 5px 0;text-align:left;vertical-align:top}
.tj-details th{font-size:11px;color:var(--grey);font-weight:600}
.tj-details td:nth-child(2){white-space:nowrap;font-weight:600}
.tj-pre{white-space:pre-line}
.tj-muted{color:var(--grey);font-size:11px}
.tj-url{font-size:11px;color:var(--grey);word-break:break-all}
.tj-detail-items{list-style:none;margin:4px 0 0;padding:0}
.tj-detail-items li{margin:0 0 6px}
.tj-detail-items .tj-url{display:block}
.tj-dot{display:inline-block;width:8px;height:8px;border-radius:50%;background:#8c959f;margin-right:6px;border:0}
.tj-dot.tj-st-important{background:var(--red)}
.tj-dot.tj-st-relevant{background:#bf8700}
.tj-dot.tj-st-success{background:var(--green)}
.tj-json{background:var(--grey-bg);border:1px solid var(--line);border-radius:6px;padding:8px;font-size:12px;overflow:auto}
)";

}  // namespace

std::string render_preview_html(const PreviewInput& in) {
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>ToolJump preview";
    if (!in.repo.empty()) {
        out += ": " + escape(in.repo);
    }
    out += "</title><style>" + std::string(kStyle) + "</style></head><body><header><h1>ToolJump preview";
    if (!in.repo.empty()) {
        out += "<small>" + escape(in.repo) + "</small>";
    }
    out += "</h1>";
    if (!in.error.empty()) {
        out += R"(<p class="tj-error" role="alert">)" + escape(in.error) + "</p>";
    }
    out += render_form(in) + "</header><main>";
    if (!in.repo.empty()) {
        out += render_results(in.response);
        if (!in.mappings.empty()) {
            out += R"(<section class="tj-section"><h2>Mapping</h2>)";
            for (const auto& m : in.mappings) {
                out += render_mapping(m);
            }
            out += "</section>";
        }
        out += render_card_details(in.response);
    } else {
        out += R"(<p class="tj-empty">Enter a repository to see its cards as the ToolJump bar shows them.</p>)";
    }
    return out + "</main></body></html>\n";
}

}  // namespace tjhost
