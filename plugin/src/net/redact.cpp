#include "net/redact.hpp"

#include "util/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace tjc::net {

namespace {

std::string strip_tags(std::string_view s) {
    std::string out;
    bool in_tag = false;
    for (char c : s) {
        if (c == '<') {
            in_tag = true;
            out += ' ';
        } else if (c == '>') {
            in_tag = false;
        } else if (!in_tag) {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string redact(std::string text, std::string_view secret) {
    if (secret.empty()) {
        return text;
    }
    static constexpr std::string_view kMark = "[redacted]";
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + kMark.size())) {
        text.replace(pos, secret.size(), kMark);
    }
    return text;
}

std::string summarize_body(std::string_view body, std::size_t max_len) {
    // Only the head of a big page matters.
    body = body.substr(0, std::min<std::size_t>(body.size(), 64 * 1024));
    std::string text;
    const std::string low = ascii_lower(body);
    if (const auto t = low.find("<title"); t != std::string::npos) {
        const auto open_end = low.find('>', t);
        const auto close = low.find("</title", t);
        if (open_end != std::string::npos && close != std::string::npos && close > open_end) {
            text = std::string(body.substr(open_end + 1, close - open_end - 1));
        }
    }
    if (text.empty()) {
        text = low.find('<') != std::string::npos ? strip_tags(body) : std::string(body);
    }

    std::string out;
    bool space = false;
    for (unsigned char c : text) {
        if (std::isspace(c) || c < 0x20 || c == 0x7f) {
            space = !out.empty();
            continue;
        }
        if (space) {
            out += ' ';
        }
        space = false;
        out += static_cast<char>(c);
    }
    if (out.size() > max_len) {
        out.resize(max_len);
        // Do not cut a UTF-8 sequence in half.
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
            out.pop_back();
        }
        if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80)) {
            out.pop_back();
        }
        out += "...";
    }
    return out.empty() ? std::string("(empty body)") : out;
}

bool is_json_content_type(std::string_view content_type) {
    std::string ct = ascii_lower(content_type.substr(0, content_type.find(';')));
    while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) {
        ct.pop_back();
    }
    while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) {
        ct.erase(0, 1);
    }
    if (ct == "application/json") {
        return true;
    }
    return ct.rfind("application/", 0) == 0 && ct.size() > 5 && ct.substr(ct.size() - 5) == "+json";
}

}  // namespace tjc::net
