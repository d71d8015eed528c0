// Errors and warnings about an admin's config, each pinned to file:line:column and a key path.
#pragma once

#include <string>
#include <vector>

namespace tjc::config {

struct Diagnostic {
    enum class Severity { error, warning };
    Severity severity = Severity::error;
    std::string file;  // "<inline>" for YAML handed over as text
    int line = 0;      // 1-based; 0 when unknown
    int column = 0;    // 1-based; 0 when unknown
    std::string key;   // dotted path, e.g. "timeouts.query_ms" or "mapping.rules[3].match"
    std::string message;

    // "file:line:col: error: key: message"
    [[nodiscard]] std::string to_string() const;
};

class Diagnostics {
public:
    explicit Diagnostics(std::string file) : file_(std::move(file)) {}

    void error(int line, int column, std::string key, std::string message);
    void warning(int line, int column, std::string key, std::string message);

    [[nodiscard]] bool has_errors() const noexcept { return errors_ > 0; }
    [[nodiscard]] const std::vector<Diagnostic>& all() const noexcept { return items_; }
    [[nodiscard]] const std::string& file() const noexcept { return file_; }
    // Every diagnostic, one per line, errors first.
    [[nodiscard]] std::string to_string() const;

private:
    std::string file_;
    std::vector<Diagnostic> items_;
    int errors_ = 0;
};

}  // namespace tjc::config
