// How long a throttled server asks us to wait (pure).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace tjc::net {

// Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date (IMF-fixdate; the obsolete
// RFC 850 and asctime forms too). A date in the past gives 0 s. Garbage gives nullopt.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// RateLimit-Reset / X-RateLimit-Reset: seconds until the window resets. Values that only make
// sense as a Unix time (>= 1e9) are read as one, relative to now.
std::optional<std::chrono::seconds> parse_ratelimit_reset(std::string_view value,
                                                          std::chrono::system_clock::time_point now);

// The wait a 429 asks for: Retry-After first, then RateLimit-Reset, then X-RateLimit-Reset;
// empty strings mean the header was absent.
std::optional<std::chrono::seconds> throttle_wait(std::string_view retry_after, std::string_view ratelimit_reset,
                                                  std::string_view x_ratelimit_reset,
                                                  std::chrono::system_clock::time_point now);

}  // namespace tjc::net
