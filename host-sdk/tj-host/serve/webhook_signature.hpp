// CircleCI's webhook signature (docs/circleci-api.md, "Webhooks"): the header
// `circleci-signature: v1=<hex>[,v2=...]`, where v1 is the lower-case hex HMAC-SHA256 of the raw
// body with the webhook's secret. Only v1 is checked (never another version instead), in
// constant time. Pure (OpenSSL's HMAC).
#pragma once

#include <string>
#include <string_view>

namespace tjhost {

// Lower-case hex HMAC-SHA256 of body with secret.
std::string hmac_sha256_hex(std::string_view secret, std::string_view body);

// True when the header carries a v1 signature equal to the body's with this secret. An empty
// secret verifies nothing (false).
bool verify_circleci_signature(std::string_view header, std::string_view body, std::string_view secret);

}  // namespace tjhost
