// RESP, Redis' wire protocol, without I/O: commands formatted and replies parsed by hiredis
// (Debian's libhiredis-dev 0.14: redisFormatCommandArgv and the redisReader, neither of which
// touches a socket). The socket is redis_client.cpp's (Asio). Replies become plain values, so
// that no hiredis object outlives a call.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tjhost::redis {

struct Value {
    enum class Type { nil, string, integer, array, status, error };
    Type type = Type::nil;
    std::string str;              // string, status, error
    long long integer = 0;        // integer
    std::vector<Value> elements;  // array

    [[nodiscard]] bool is_nil() const noexcept { return type == Type::nil; }
    [[nodiscard]] bool is_error() const noexcept { return type == Type::error; }
    [[nodiscard]] bool is_string() const noexcept { return type == Type::string; }
};

// One command (binary-safe arguments) in RESP, ready to write.
std::string format_command(const std::vector<std::string>& args);

// The reader hiredis gives (redisReader): bytes in, whole replies out. Not thread-safe: one
// connection's reader, used by that connection's one thread.
class RespReader {
public:
    RespReader();
    ~RespReader();
    RespReader(const RespReader&) = delete;
    RespReader& operator=(const RespReader&) = delete;

    void feed(std::string_view bytes);
    // The next whole reply, or nullopt until more bytes come. Throws ProtocolError on bytes
    // that are not RESP (the connection is then unusable).
    std::optional<Value> next();

private:
    struct Deleter {
        void operator()(void* reader) const noexcept;
    };
    std::unique_ptr<void, Deleter> reader_;
};

struct ProtocolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace tjhost::redis
