// Keeping secrets and noise out of error messages (pure).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tjc::net {

// Every occurrence of secret in text replaced by "[redacted]". An empty secret changes nothing.
std::string redact(std::string text, std::string_view secret);

// A response body as one short line for an error message: the <title> of an HTML page, else
// its text without tags; whitespace collapsed, control bytes dropped, cut at max_len with "...".
std::string summarize_body(std::string_view body, std::size_t max_len = 120);

// "application/json" or "application/json; charset=utf-8" or "application/problem+json".
bool is_json_content_type(std::string_view content_type);

}  // namespace tjc::net
