#include "config/diagnostics.hpp"

#include <algorithm>

namespace tjc::config {

std::string Diagnostic::to_string() const {
    std::string out = file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0) {
            out += ':' + std::to_string(column);
        }
    }
    out += severity == Severity::error ? ": error: " : ": warning: ";
    if (!key.empty()) {
        out += key + ": ";
    }
    out += message;
    return out;
}

void Diagnostics::error(int line, int column, std::string key, std::string message) {
    items_.push_back({Diagnostic::Severity::error, file_, line, column, std::move(key), std::move(message)});
    ++errors_;
}

void Diagnostics::warning(int line, int column, std::string key, std::string message) {
    items_.push_back({Diagnostic::Severity::warning, file_, line, column, std::move(key), std::move(message)});
}

std::string Diagnostics::to_string() const {
    std::vector<const Diagnostic*> sorted;
    for (const auto& d : items_) {
        sorted.push_back(&d);
    }
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Diagnostic* a, const Diagnostic* b) { return a->severity < b->severity; });
    std::string out;
    for (const auto* d : sorted) {
        if (!out.empty()) {
            out += '\n';
        }
        out += d->to_string();
    }
    return out;
}

}  // namespace tjc::config
