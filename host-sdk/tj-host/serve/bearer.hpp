// The server token check of `tj-host serve`: `Authorization: Bearer <token>`, compared in
// constant time. Both sides are hashed with SHA-256 first, so the comparison neither stops at
// the first difference nor reveals the token's length.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace tjhost {

class BearerCheck {
public:
    // An empty token disables the check (every request passes).
    explicit BearerCheck(std::string_view token);

    [[nodiscard]] bool enabled() const noexcept { return enabled_; }
    // authorization: the header's value ("" when absent).
    [[nodiscard]] bool allows(std::string_view authorization) const;

private:
    bool enabled_ = false;
    std::array<unsigned char, 32> digest_{};
};

}  // namespace tjhost
