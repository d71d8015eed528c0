// The extern "C" boundary: argument checks, handles, owned strings, and a catch-all around
// every call so that nothing throws into the host.
#include "abi/description.hpp"
#include "instance/instance.hpp"
#include "tjc/mutex.hpp"

#include <tooljump/plugin.h>

#include <boost/json/serialize.hpp>

#include <atomic>
#include <cstring>
#include <new>

struct tj_instance {
    std::unique_ptr<tjc::Instance> impl;
};

namespace {

constexpr std::size_t kMaxArgumentBytes = 16u << 20;  // no legitimate argument comes close

tjc::Mutex g_init_mutex;
int g_init_count TJC_GUARDED_BY(g_init_mutex) = 0;
// The lowest ABI minor a host gave init(): tj_host_callbacks.get_extension exists only from
// 1.2 on, so an older host's struct ends before it and must not be read past get_secret.
std::atomic<std::uint32_t> g_host_minor{0};

bool initialized() {
    tjc::MutexLock lock(g_init_mutex);
    return g_init_count > 0;
}

// tjc::Status is tj_status by value: each pinned here, so that neither can drift.
constexpr bool same(tjc::Status s, tj_status abi) { return static_cast<int>(s) == static_cast<int>(abi); }
static_assert(same(tjc::Status::ok, TJ_STATUS_OK));
static_assert(same(tjc::Status::invalid_argument, TJ_STATUS_INVALID_ARGUMENT));
static_assert(same(tjc::Status::bad_config, TJ_STATUS_BAD_CONFIG));
static_assert(same(tjc::Status::no_match, TJ_STATUS_NO_MATCH));
static_assert(same(tjc::Status::cancelled, TJ_STATUS_CANCELLED));
static_assert(same(tjc::Status::timeout, TJ_STATUS_TIMEOUT));
static_assert(same(tjc::Status::busy, TJ_STATUS_BUSY));
static_assert(same(tjc::Status::unsupported, TJ_STATUS_UNSUPPORTED));
static_assert(same(tjc::Status::not_initialized, TJ_STATUS_NOT_INITIALIZED));
static_assert(same(tjc::Status::unknown_ticket, TJ_STATUS_UNKNOWN_TICKET));
static_assert(same(tjc::Status::internal, TJ_STATUS_INTERNAL));

tj_status to_abi(tjc::Status s) { return static_cast<tj_status>(s); }

bool valid_view(tj_str_view v) { return (v.ptr != nullptr || v.len == 0) && v.len <= kMaxArgumentBytes; }
std::string_view as_sv(tj_str_view v) { return v.len ? std::string_view(v.ptr, v.len) : std::string_view(); }

// Hands a copy of s to the host; release_str() frees it. On allocation failure the host gets
// an empty string rather than an exception.
void give(tj_plugin_owned_str* out, std::string_view s) {
    if (!out) {
        return;
    }
    auto* buf = new (std::nothrow) char[s.size() + 1];
    if (!buf) {
        *out = {nullptr, 0};
        return;
    }
    if (!s.empty()) {
        std::memcpy(buf, s.data(), s.size());
    }
    buf[s.size()] = '\0';
    *out = {buf, s.size()};
}

void clear(tj_plugin_owned_str* out) {
    if (out) {
        *out = {nullptr, 0};
    }
}

// Runs body; any escaping exception becomes TJ_STATUS_INTERNAL with its message.
template <typename F>
tj_status guarded(tj_plugin_owned_str* message_out, F&& body) noexcept {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        give(message_out, "out of memory");
    } catch (const std::exception& e) {
        give(message_out, std::string("internal error: ") + e.what());
    } catch (...) {
        give(message_out, "internal error");
    }
    return TJ_STATUS_INTERNAL;
}

tjc::Expected<tjc::ConfigSource> to_source(const tj_config_source* config) {
    if (!config) {
        return tjc::Error{"config is NULL"};
    }
    if (!valid_view(config->yaml_text) || !valid_view(config->file_path)) {
        return tjc::Error{"config: invalid string view"};
    }
    if (config->yaml_text.len && config->file_path.len) {
        return tjc::Error{"config: give either YAML text or a file path, not both"};
    }
    return tjc::ConfigSource{std::string(as_sv(config->yaml_text)), std::string(as_sv(config->file_path))};
}

// The host's struct, copied field by field: only the fields its ABI version has (a host of
// 1.0/1.1 lends a struct without get_extension; copying the whole struct would read past it).
tj_host_callbacks copy_callbacks(const tj_host_callbacks& from) {
    tj_host_callbacks cb{};
    cb.host_data = from.host_data;
    cb.log = from.log;
    cb.get_secret = from.get_secret;
    if (g_host_minor.load() >= 2) {
        cb.get_extension = from.get_extension;
    }
    return cb;
}

tjc::Host to_host(const tj_host_callbacks& from) {
    const tj_host_callbacks cb = copy_callbacks(from);
    tjc::Host host;
    if (cb.get_extension) {
        const auto* cache = static_cast<const tj_host_cache_v1*>(cb.get_extension(cb.host_data, TJ_HOST_CACHE_V1));
        if (cache && cache->invalidate) {
            host.invalidate = [invalidate = cache->invalidate, data = cb.host_data](std::string_view tag) {
                invalidate(data, tj_str_view{tag.data(), tag.size()});
            };
        }
    }
    if (cb.log) {
        host.log = [cb](tjc::LogLevel level, std::string_view message) {
            cb.log(cb.host_data, static_cast<tj_log_level>(level), tj_str_view{message.data(), message.size()});
        };
    }
    if (cb.get_secret) {
        host.secret = [cb](std::string_view name) -> std::optional<std::string> {
            std::string value;
            bool delivered = false;
            struct Sink {
                std::string* value;
                bool* delivered;
            } sink{&value, &delivered};
            const auto status = cb.get_secret(
                cb.host_data, tj_str_view{name.data(), name.size()},
                [](void* data, tj_str_view v) {
                    auto* s = static_cast<Sink*>(data);
                    if (v.ptr || v.len == 0) {
                        s->value->assign(v.ptr ? v.ptr : "", v.len);
                    }
                    *s->delivered = true;
                },
                &sink);
            if (status != TJ_STATUS_OK || !delivered) {
                return std::nullopt;
            }
            return value;
        };
    }
    return host;
}

tj_status describe(const tj_instance* instance, tj_plugin_owned_str* out_json) {
    clear(out_json);
    if (!out_json) {
        return TJ_STATUS_INVALID_ARGUMENT;
    }
    return guarded(out_json, [&] {
        const auto secrets = instance ? instance->impl->secret_names() : std::vector<std::string>{"CIRCLECI_TOKEN"};
        const auto domains = instance ? instance->impl->custom_domains() : std::vector<std::string>{};
        give(out_json, boost::json::serialize(tjc::abi::describe(secrets, domains)));
        return TJ_STATUS_OK;
    });
}

tj_status create(const tj_host_callbacks* host, const tj_config_source* config, tj_instance** out_instance,
                 tj_plugin_owned_str* out_error) {
    clear(out_error);
    if (out_instance) {
        *out_instance = nullptr;
    }
    return guarded(out_error, [&]() -> tj_status {
        if (!initialized()) {
            return give(out_error, "init() has not succeeded"), TJ_STATUS_NOT_INITIALIZED;
        }
        if (!host || !out_instance) {
            return give(out_error, "host and out_instance are required"), TJ_STATUS_INVALID_ARGUMENT;
        }
        auto source = to_source(config);
        if (!source) {
            return give(out_error, source.error()), TJ_STATUS_INVALID_ARGUMENT;
        }
        auto inst = tjc::Instance::create(to_host(*host), source.value());
        if (!inst) {
            return give(out_error, inst.error()), TJ_STATUS_BAD_CONFIG;
        }
        *out_instance = new tj_instance{std::move(inst).value()};
        return TJ_STATUS_OK;
    });
}

void destroy(tj_instance* instance) {
    if (!instance) {
        return;
    }
    guarded(nullptr, [&] {
        if (instance->impl->refuse_destroy_here()) {
            return TJ_STATUS_INVALID_ARGUMENT;
        }
        delete instance;
        return TJ_STATUS_OK;
    });
}

tj_status reload(tj_instance* instance, const tj_config_source* config, tj_plugin_owned_str* out_error) {
    clear(out_error);
    return guarded(out_error, [&]() -> tj_status {
        if (!instance) {
            return give(out_error, "instance is NULL"), TJ_STATUS_INVALID_ARGUMENT;
        }
        auto source = to_source(config);
        if (!source) {
            return give(out_error, source.error()), TJ_STATUS_INVALID_ARGUMENT;
        }
        const auto reloaded = instance->impl->reload(source.value());
        if (!reloaded) {
            return give(out_error, reloaded.error()), TJ_STATUS_BAD_CONFIG;
        }
        return TJ_STATUS_OK;
    });
}

tj_status submit(tj_instance* instance, tj_str_view context_json, uint32_t timeout_ms, tj_completion_fn done,
                 void* user_data, uint64_t* out_ticket) {
    return guarded(nullptr, [&]() -> tj_status {
        if (out_ticket) {
            *out_ticket = 0;
        }
        if (!instance) {
            return TJ_STATUS_INVALID_ARGUMENT;  // no instance: no host log to say it in
        }
        if (!done || !out_ticket || !valid_view(context_json)) {
            instance->impl->report_invalid_call(!done         ? "submit() refused: done is NULL"
                                                : !out_ticket ? "submit() refused: out_ticket is NULL"
                                                              : "submit() refused: context is not a valid string view "
                                                                "(NULL with a length, or over 16 MiB)");
            return TJ_STATUS_INVALID_ARGUMENT;
        }
        return to_abi(instance->impl->submit(
            as_sv(context_json), timeout_ms,
            [done, user_data](std::uint64_t ticket, tjc::Status s, std::string_view payload) {
                done(user_data, ticket, to_abi(s), tj_str_view{payload.data(), payload.size()});
            },
            *out_ticket));
    });
}

tj_status cancel(tj_instance* instance, uint64_t ticket) {
    return guarded(nullptr, [&]() -> tj_status {
        if (!instance) {
            return TJ_STATUS_INVALID_ARGUMENT;
        }
        return to_abi(instance->impl->cancel(ticket));
    });
}

tj_status query(tj_instance* instance, tj_str_view context_json, uint32_t timeout_ms, tj_plugin_owned_str* out) {
    clear(out);
    return guarded(out, [&]() -> tj_status {
        if (!out) {
            return TJ_STATUS_INVALID_ARGUMENT;
        }
        if (!instance) {
            return give(out, "instance is NULL"), TJ_STATUS_INVALID_ARGUMENT;
        }
        if (!valid_view(context_json)) {
            return give(out, "context: invalid string view"), TJ_STATUS_INVALID_ARGUMENT;
        }
        std::string result;
        const auto s = instance->impl->query(as_sv(context_json), timeout_ms, result);
        give(out, result);
        return to_abi(s);
    });
}

tj_status resolve(tj_instance* instance, tj_str_view context_json, tj_plugin_owned_str* out) {
    clear(out);
    return guarded(out, [&]() -> tj_status {
        if (!out) {
            return TJ_STATUS_INVALID_ARGUMENT;
        }
        if (!instance) {
            return give(out, "instance is NULL"), TJ_STATUS_INVALID_ARGUMENT;
        }
        if (!valid_view(context_json)) {
            return give(out, "context: invalid string view"), TJ_STATUS_INVALID_ARGUMENT;
        }
        std::string result;
        const auto s = instance->impl->resolve(as_sv(context_json), result);
        give(out, result);
        return to_abi(s);
    });
}

void release_str(tj_plugin_owned_str* str) {
    if (!str || !str->ptr_plugin_owned) {
        return;
    }
    delete[] str->ptr_plugin_owned;
    *str = {nullptr, 0};
}

constexpr tj_plugin_api_v1 kApiV1{
    describe, create, destroy, reload, submit, cancel, query, resolve, release_str,
};

tj_status stats(const tj_instance* instance, tj_plugin_owned_str* out_json) {
    clear(out_json);
    if (!out_json) {
        return TJ_STATUS_INVALID_ARGUMENT;
    }
    return guarded(out_json, [&]() -> tj_status {
        if (!instance) {
            return give(out_json, "instance is NULL"), TJ_STATUS_INVALID_ARGUMENT;
        }
        give(out_json, instance->impl->stats_json());
        return TJ_STATUS_OK;
    });
}

constexpr tj_plugin_stats_v1 kStatsV1{stats};

tj_status notify(tj_instance* instance, tj_str_view event_json) {
    return guarded(nullptr, [&]() -> tj_status {
        if (!instance) {
            return TJ_STATUS_INVALID_ARGUMENT;  // no instance: no host log to say it in
        }
        if (!valid_view(event_json)) {
            instance->impl->report_invalid_call(
                "notify() refused: event is not a valid string view (NULL with a length, or over 16 MiB)");
            return TJ_STATUS_INVALID_ARGUMENT;
        }
        std::string problem;  // no out parameter in events v1: the host's log says it
        const auto status = instance->impl->notify(as_sv(event_json), problem);
        if (status == tjc::Status::invalid_argument) {
            instance->impl->report_invalid_call("notify() refused: " + problem);
        }
        return to_abi(status);
    });
}

constexpr tj_plugin_events_v1 kEventsV1{notify};

tj_status entry_init(tj_abi_version host) {
    if (host.major != TJ_ABI_VERSION_MAJOR) {
        return TJ_STATUS_UNSUPPORTED;
    }
    tjc::MutexLock lock(g_init_mutex);
    if (g_init_count == 0 || host.minor < g_host_minor.load()) {
        g_host_minor.store(host.minor);
    }
    ++g_init_count;
    return TJ_STATUS_OK;
}

void entry_deinit() {
    tjc::MutexLock lock(g_init_mutex);
    if (g_init_count > 0) {
        --g_init_count;
    }
}

const void* entry_get_api(const char* api_id) {
    if (!api_id || !initialized()) {
        return nullptr;
    }
    if (std::strcmp(api_id, TJ_PLUGIN_API_V1) == 0) {
        return &kApiV1;
    }
    if (std::strcmp(api_id, TJ_PLUGIN_STATS_V1) == 0) {
        return &kStatsV1;
    }
    if (std::strcmp(api_id, TJ_PLUGIN_EVENTS_V1) == 0) {
        return &kEventsV1;
    }
    return nullptr;
}

}  // namespace

extern "C" {
extern const tj_plugin_entry tooljump_plugin_entry;
const tj_plugin_entry tooljump_plugin_entry{
    {TJ_ABI_VERSION_MAJOR, TJ_ABI_VERSION_MINOR},
    entry_init,
    entry_deinit,
    entry_get_api,
};
}
