// The preview page of `tj-host serve` (GET /preview): the cards of one context, drawn as the
// ToolJump bar draws them, in one self-contained HTML page (no external assets), so an admin
// can check a mapping in a browser. Pure: no I/O, no plugin calls.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace tjhost {

// How one integration mapped the context: the plugin's resolve() output (JSON text) when it
// gave one, else a one-line message (no match, not run, error).
struct PreviewMapping {
    std::string integration;
    std::string resolve_json;  // JSON text from resolve(); empty when `message` says why not
    std::string message;
};

struct PreviewInput {
    // What was asked (the /preview query). An empty repo renders the form only.
    std::string repo;
    std::string service;
    std::string branch;
    std::string commit;
    // The /context response body for that context (ToolJump's shape:
    // {"data":[...],"count","cacheHits","failedCount","timestamp","integrationNames"}).
    // Null when nothing was asked.
    boost::json::value response;
    std::vector<PreviewMapping> mappings;
    // A problem with the request itself (e.g. an unparseable repo), shown above the form.
    std::string error;
};

// The whole page. Every string from the input is HTML-escaped; hrefs are emitted only for
// http(s) URLs.
[[nodiscard]] std::string render_preview_html(const PreviewInput& in);

}  // namespace tjhost
