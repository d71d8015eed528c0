// Wiping secrets: a string that held a token is overwritten (OPENSSL_cleanse, which the
// compiler may not elide) before its memory goes back to the allocator.
#pragma once

#include <openssl/crypto.h>

#include <string>

namespace tjc {

// Overwrites every byte s owns (its whole capacity, the small-string buffer too) and empties
// it; the capacity stays, so the next free() releases zeros.
inline void wipe(std::string& s) noexcept {
    s.resize(s.capacity());
    OPENSSL_cleanse(s.data(), s.size());
    s.clear();
}

// Wipes a string on every path out of a scope (co_return included).
class WipeOnExit {
public:
    explicit WipeOnExit(std::string& s) noexcept : s_(s) {}
    ~WipeOnExit() { wipe(s_); }
    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;

private:
    std::string& s_;
};

}  // namespace tjc
