#include "webhook_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

namespace tjhost {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

std::string hmac_sha256_hex(std::string_view secret, std::string_view body) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
              reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len)) {
        return {};
    }
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out += digits[mac[i] >> 4];
        out += digits[mac[i] & 15];
    }
    OPENSSL_cleanse(mac, sizeof mac);
    return out;
}

bool verify_circleci_signature(std::string_view header, std::string_view body, std::string_view secret) {
    if (secret.empty()) {
        return false;
    }
    const auto expected = hmac_sha256_hex(secret, body);
    if (expected.empty()) {
        return false;
    }
    bool ok = false;
    while (!header.empty()) {
        const auto comma = header.find(',');
        const auto part = trim(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        if (!part.starts_with("v1=")) {
            continue;  // other versions are not ours to check
        }
        const auto given = part.substr(3);
        // The length of a hex SHA-256 is no secret; the bytes are compared in constant time.
        if (given.size() == expected.size() && CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0) {
            ok = true;
        }
    }
    return ok;
}

}  // namespace tjhost
