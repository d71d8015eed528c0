#include "test_certs.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace tjc::testing {
namespace {

struct Free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(BIO* p) const { BIO_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

[[noreturn]] void fail(const char* what) {
    char buf[256] = {};
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    throw std::runtime_error(std::string("test certificates: ") + what + ": " + buf);
}

void check(int ok, const char* what) {
    if (ok != 1) {
        fail(what);
    }
}

Key make_key() {
    // P-256: fast to generate, accepted at every OpenSSL security level.
    Key key(EVP_EC_gen("P-256"));
    if (!key) {
        fail("EVP_EC_gen");
    }
    return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext) {
        fail("X509V3_EXT_conf_nid");
    }
    check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

// A v3 certificate for `cn`, valid from an hour ago for 30 days, without extensions.
Cert make_cert(const char* cn, EVP_PKEY* key) {
    Cert cert(X509_new());
    if (!cert) {
        fail("X509_new");
    }
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
    std::unique_ptr<BIGNUM, Free> serial(BN_new());
    check(BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
    if (!BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
        fail("serial");
    }
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("tooljump-circleci tests"), -1, -1, 0),
          "subject O");
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0),
          "subject CN");
    check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
    return cert;
}

std::string to_pem(X509* cert) {
    std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::string to_pem(EVP_PKEY* key) {
    std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), "PEM_write_bio_PrivateKey");
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

KeyAndCert make_leaf(const char* cn, const char* san, X509* ca, EVP_PKEY* ca_key) {
    Key key = make_key();
    Cert cert = make_cert(cn, key.get());
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca)), "X509_set_issuer_name");
    add_ext(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), ca, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_ext(cert.get(), ca, NID_ext_key_usage, "serverAuth");
    add_ext(cert.get(), ca, NID_subject_alt_name, san);
    add_ext(cert.get(), ca, NID_subject_key_identifier, "hash");
    add_ext(cert.get(), ca, NID_authority_key_identifier, "keyid:always");
    if (X509_sign(cert.get(), ca_key, EVP_sha256()) <= 0) {
        fail("X509_sign leaf");
    }
    return {to_pem(cert.get()), to_pem(key.get())};
}

}  // namespace

TestCerts make_test_certs() {
    Key ca_key = make_key();
    Cert ca = make_cert("tooljump-circleci test CA", ca_key.get());
    check(X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get())), "X509_set_issuer_name");
    add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    if (X509_sign(ca.get(), ca_key.get(), EVP_sha256()) <= 0) {
        fail("X509_sign CA");
    }

    TestCerts out;
    out.ca_cert_pem = to_pem(ca.get());
    out.server = make_leaf("127.0.0.1", "IP:127.0.0.1,DNS:localhost", ca.get(), ca_key.get());
    out.wrong_host = make_leaf("wrong.example", "DNS:wrong.example", ca.get(), ca_key.get());
    return out;
}

}  // namespace tjc::testing
