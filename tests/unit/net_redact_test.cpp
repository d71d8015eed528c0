// Secrets and noise kept out of messages: pure, no sockets.
#include "net/redact.hpp"
#include "util/wipe.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace tjc::net;

TEST_CASE("redact replaces every occurrence of the secret") {
    CHECK(redact("token abc123 and abc123 again", "abc123") == "token [redacted] and [redacted] again");
    CHECK(redact("nothing here", "abc123") == "nothing here");
    CHECK(redact("abc123", "") == "abc123");
    // A secret that contains the mark does not loop forever.
    CHECK(redact("x[redacted]x", "[redacted]") == "x[redacted]x");
    CHECK(redact("aaaa", "aa") == "[redacted][redacted]");
}

TEST_CASE("summarize_body gives one short line") {
    const std::string html =
        "<!DOCTYPE html>\n<html><head>\n<title>502 Bad\n  Gateway</title></head>"
        "<body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>";
    CHECK(summarize_body(html) == "502 Bad Gateway");

    CHECK(summarize_body("<html><body><p>Service\tUnavailable</p></body></html>") == "Service Unavailable");
    CHECK(summarize_body("plain\r\ntext   error") == "plain text error");
    CHECK(summarize_body("") == "(empty body)");

    const std::string long_text(1000, 'x');
    const auto s = summarize_body(long_text, 50);
    CHECK(s.size() == 53);
    CHECK(s.substr(50) == "...");
    CHECK(s.find('\n') == std::string::npos);

    // Multi-byte characters are not cut in half.
    std::string accents;
    for (int i = 0; i < 40; ++i) {
        accents += "é";
    }
    const auto cut = summarize_body(accents, 11);
    CHECK(cut.substr(cut.size() - 3) == "...");
    CHECK(cut.size() - 3 <= 11);
    CHECK((cut.size() - 3) % 2 == 0);
}

TEST_CASE("JSON content types") {
    CHECK(is_json_content_type("application/json"));
    CHECK(is_json_content_type("application/json; charset=utf-8"));
    CHECK(is_json_content_type("Application/JSON"));
    CHECK(is_json_content_type("application/problem+json"));
    CHECK_FALSE(is_json_content_type("text/html"));
    CHECK_FALSE(is_json_content_type("text/json+html"));
    CHECK_FALSE(is_json_content_type(""));
    CHECK_FALSE(is_json_content_type("application/jsonp"));
}

TEST_CASE("wipe zeroes every byte a string owns, heap or small-string buffer, and empties it") {
    for (std::string s : {std::string("tok-SECRET-7f3a9c-and-more-than-fifteen"), std::string("short-tok")}) {
        CAPTURE(s);
        const auto capacity = s.capacity();
        const char* buffer = s.data();
        tjc::wipe(s);
        CHECK(s.empty());
        REQUIRE(s.capacity() == capacity);  // the same buffer: it is what gets freed later
        REQUIRE(s.data() == buffer);
        for (std::size_t i = 0; i < capacity; ++i) {
            CHECK(buffer[i] == '\0');
        }
    }
    std::string scoped = "tok-SECRET-7f3a9c-and-more-than-fifteen";
    const char* buffer = scoped.data();
    { tjc::WipeOnExit guard(scoped); }
    CHECK(scoped.empty());
    CHECK(buffer[0] == '\0');
}
