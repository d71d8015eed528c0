#include "bearer.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace tjhost {

namespace {

std::array<unsigned char, 32> sha256(std::string_view s) {
    std::array<unsigned char, 32> out{};
    SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), out.data());
    return out;
}

}  // namespace

BearerCheck::BearerCheck(std::string_view token) : enabled_(!token.empty()), digest_(sha256(token)) {}

bool BearerCheck::allows(std::string_view authorization) const {
    if (!enabled_) {
        return true;
    }
    // The scheme is case-insensitive (RFC 9110 section 11.1); one or more spaces follow it.
    constexpr std::string_view kScheme = "bearer";
    if (authorization.size() <= kScheme.size()) {
        return false;
    }
    for (std::size_t i = 0; i < kScheme.size(); ++i) {
        if ((authorization[i] | 0x20) != kScheme[i]) {
            return false;
        }
    }
    auto presented = authorization.substr(kScheme.size());
    if (presented.front() != ' ') {
        return false;
    }
    while (!presented.empty() && presented.front() == ' ') {
        presented.remove_prefix(1);
    }
    while (!presented.empty() && presented.back() == ' ') {
        presented.remove_suffix(1);
    }
    if (presented.empty()) {
        return false;
    }
    const auto got = sha256(presented);
    return CRYPTO_memcmp(got.data(), digest_.data(), digest_.size()) == 0;
}

}  // namespace tjhost
