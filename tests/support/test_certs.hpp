// Certificates made at test time (OpenSSL 3, nothing on disk, no `openssl` command):
// a test CA and two leaves signed by it.
#pragma once

#include <string>

namespace tjc::testing {

struct KeyAndCert {
    std::string cert_pem;
    std::string key_pem;
};

struct TestCerts {
    std::string ca_cert_pem;  // self-signed, CA:TRUE: what clients trust
    KeyAndCert server;        // SAN IP:127.0.0.1, DNS:localhost
    KeyAndCert wrong_host;    // SAN DNS:wrong.example (same CA, wrong name)
};

// Throws std::runtime_error with OpenSSL's message on failure.
TestCerts make_test_certs();

}  // namespace tjc::testing
