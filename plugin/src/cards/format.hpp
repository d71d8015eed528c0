// Short human text for cards: ages, durations, SHAs, commit subjects. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tjc::cards {

// How long, rounded down to one unit a person reads at a glance: "<1m", "5m", "3h" (under
// 48 hours), "4d" (under 2 weeks), "3w" (under 13 weeks), "5mo" (under a year), "6y".
std::string span(std::chrono::milliseconds elapsed);
// "just now", "5m ago", "3h ago", "4d ago", "3w ago", "5mo ago", "6y ago".
std::string age(std::chrono::milliseconds elapsed);
// Two units, the second rounded: "45s", "4m 12s", "1h 05m", "2d 19h" (from a day), "3w 2d"
// (from two weeks).
std::string duration(std::chrono::seconds d);
// "1 pipeline", "2 pipelines": n and the noun, plural when n is not 1.
std::string count(std::size_t n, std::string_view singular, std::string_view plural);
// The first 7 characters of a SHA.
std::string short_sha(std::string_view sha);
// The first line of a commit message, cut to max characters.
std::string subject(std::string_view message, std::size_t max);
// "95%" (rounded), "99.5%" below 100 when it matters.
std::string percent(double ratio);
// A trend ratio as "+12%" / "-5%" / "±0%".
std::string trend(double ratio);

}  // namespace tjc::cards
