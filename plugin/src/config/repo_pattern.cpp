#include "config/repo_pattern.hpp"

#include <algorithm>
#include <cctype>

namespace tjc::config {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool iequal_prefix(std::string_view text, std::string_view lower_literal) {
    if (text.size() < lower_literal.size()) {
        return false;
    }
    for (std::size_t i = 0; i < lower_literal.size(); ++i) {
        if (lower(text[i]) != lower_literal[i]) {
            return false;
        }
    }
    return true;
}

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.'; }

}  // namespace

Expected<RepoPattern> RepoPattern::compile(std::string_view text) {
    if (std::count(text.begin(), text.end(), '/') != 1) {
        return Error{"a pattern is '<org>/<repo>' with one '/'"};
    }
    RepoPattern p;
    p.source_ = std::string(text);
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '*') {
            if (!p.parts_.empty() && p.parts_.back().kind != Kind::literal) {
                return Error{"'*' right after another wildcard or capture is ambiguous"};
            }
            p.parts_.push_back({Kind::star, ""});
            ++i;
        } else if (c == '{') {
            const auto close = text.find('}', i);
            if (close == std::string_view::npos) {
                return Error{"unclosed '{'"};
            }
            const auto name = text.substr(i + 1, close - i - 1);
            if (name.empty() || !std::all_of(name.begin(), name.end(), [](char ch) {
                    return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '_';
                })) {
                return Error{"invalid capture '{" + std::string(name) + "}'"};
            }
            if (!p.parts_.empty() && p.parts_.back().kind != Kind::literal) {
                return Error{"capture '{" + std::string(name) +
                             "}' right after another wildcard or capture is ambiguous"};
            }
            for (const auto& existing : p.parts_) {
                if (existing.kind == Kind::capture && existing.text == name) {
                    return Error{"capture '{" + std::string(name) + "}' appears twice"};
                }
            }
            p.parts_.push_back({Kind::capture, std::string(name)});
            i = close + 1;
        } else if (c == '/' || name_char(c)) {
            if (p.parts_.empty() || p.parts_.back().kind != Kind::literal) {
                p.parts_.push_back({Kind::literal, ""});
            }
            p.parts_.back().text += lower(c);
            ++i;
        } else {
            return Error{std::string("character '") + c + "' cannot appear in a repository name"};
        }
    }
    return p;
}

std::vector<std::string> RepoPattern::capture_names() const {
    std::vector<std::string> out;
    for (const auto& part : parts_) {
        if (part.kind == Kind::capture) {
            out.push_back(part.text);
        }
    }
    return out;
}

std::string RepoPattern::shape() const {
    std::string out;
    for (const auto& part : parts_) {
        out += part.kind == Kind::literal ? part.text : "*";
    }
    return out;
}

bool RepoPattern::match(std::string_view org_repo, Captures& captures) const {
    captures.clear();
    std::vector<char> failed((parts_.size() + 1) * (org_repo.size() + 1), 0);
    return match_from(0, org_repo, 0, captures, failed);
}

bool RepoPattern::match_from(std::size_t index, std::string_view text, std::size_t offset, Captures& captures,
                             std::vector<char>& failed) const {
    const auto rest = text.substr(offset);
    if (index == parts_.size()) {
        return rest.empty();
    }
    char& known_bad = failed[index * (text.size() + 1) + offset];
    if (known_bad) {
        return false;
    }
    const auto& part = parts_[index];
    if (part.kind == Kind::literal) {
        if (iequal_prefix(rest, part.text) &&
            match_from(index + 1, text, offset + part.text.size(), captures, failed)) {
            return true;
        }
        known_bad = 1;
        return false;
    }
    // A wildcard or capture takes 1..n characters, never a '/'; try the shortest first.
    const auto limit = std::min(rest.find('/'), rest.size());
    for (std::size_t n = 1; n <= limit; ++n) {
        const auto before = captures.size();
        if (part.kind == Kind::capture) {
            captures.emplace_back(part.text, std::string(rest.substr(0, n)));
        }
        if (match_from(index + 1, text, offset + n, captures, failed)) {
            return true;
        }
        captures.resize(before);
    }
    known_bad = 1;
    return false;
}

}  // namespace tjc::config
