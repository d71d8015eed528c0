// Short human text for cards: ages, durations, SHAs, commit subjects. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tjc::cards {

// "<1m", "5m", "3h", "2d".
std::string span(std::chrono::milliseconds elapsed);
// "just now", "5m ago", "3h ago", "2d ago".
std::string age(std::chrono::milliseconds elapsed);
// "45s", "4m 12s", "1h 05m".
std::string duration(std::chrono::seconds d);
// The first 7 characters of a SHA.
std::string short_sha(std::string_view sha);
// The first line of a commit message, cut to max characters.
std::string subject(std::string_view message, std::size_t max);
// "95%" (rounded), "99.5%" below 100 when it matters.
std::string percent(double ratio);
// A trend ratio as "+12%" / "-5%" / "±0%".
std::string trend(double ratio);

}  // namespace tjc::cards
