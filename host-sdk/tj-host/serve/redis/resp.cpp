#include "redis/resp.hpp"

#include <hiredis/hiredis.h>

namespace tjhost::redis {

namespace {

Value convert(const redisReply& r) {
    Value v;
    switch (r.type) {
        case REDIS_REPLY_STRING:
            v.type = Value::Type::string;
            v.str.assign(r.str, r.len);
            break;
        case REDIS_REPLY_STATUS:
            v.type = Value::Type::status;
            v.str.assign(r.str, r.len);
            break;
        case REDIS_REPLY_ERROR:
            v.type = Value::Type::error;
            v.str.assign(r.str, r.len);
            break;
        case REDIS_REPLY_INTEGER:
            v.type = Value::Type::integer;
            v.integer = r.integer;
            break;
        case REDIS_REPLY_ARRAY:
            v.type = Value::Type::array;
            v.elements.reserve(r.elements);
            for (std::size_t i = 0; i < r.elements; ++i) {
                v.elements.push_back(convert(*r.element[i]));
            }
            break;
        default: v.type = Value::Type::nil; break;
    }
    return v;
}

redisReader* as_reader(void* p) { return static_cast<redisReader*>(p); }

}  // namespace

std::string format_command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    char* out = nullptr;
    const int n = redisFormatCommandArgv(&out, static_cast<int>(args.size()), argv.data(), lens.data());
    if (n < 0 || !out) {
        throw std::bad_alloc();
    }
    std::string cmd(out, static_cast<std::size_t>(n));
    redisFreeCommand(out);
    return cmd;
}

void RespReader::Deleter::operator()(void* reader) const noexcept { redisReaderFree(as_reader(reader)); }

RespReader::RespReader() : reader_(redisReaderCreate()) {
    if (!reader_) {
        throw std::bad_alloc();
    }
}

RespReader::~RespReader() = default;

void RespReader::feed(std::string_view bytes) {
    if (redisReaderFeed(as_reader(reader_.get()), bytes.data(), bytes.size()) != REDIS_OK) {
        throw ProtocolError("redis: cannot buffer the reply");
    }
}

std::optional<Value> RespReader::next() {
    void* reply = nullptr;
    auto* reader = as_reader(reader_.get());
    if (redisReaderGetReply(reader, &reply) != REDIS_OK) {
        throw ProtocolError(std::string("redis: protocol error: ") + reader->errstr);
    }
    if (!reply) {
        return std::nullopt;
    }
    std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(reply), freeReplyObject);
    return convert(*owned);
}

}  // namespace tjhost::redis
