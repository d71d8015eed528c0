/* Compiled by ctest as strict C11 (-std=c11 -Wall -Wextra -pedantic -Werror) and as C++20:
 * plugin.h must stay a plain C header. Touches every type so that a layout or syntax slip in
 * any of them fails the compile. */
#include <tooljump/plugin.h>

#include <stddef.h>

#ifdef __cplusplus
#define TJ_STATIC_ASSERT static_assert
#else
#define TJ_STATIC_ASSERT _Static_assert
#endif

/* The version must be the entry's first field, in every ABI version. */
TJ_STATIC_ASSERT(offsetof(tj_plugin_entry, abi_version) == 0, "abi_version must be first");
TJ_STATIC_ASSERT(sizeof(tj_abi_version) == 8, "tj_abi_version is two uint32_t");
TJ_STATIC_ASSERT(sizeof(tj_status) == 4, "tj_status is int32_t");
TJ_STATIC_ASSERT(offsetof(tj_str_view, ptr) == 0, "tj_str_view starts with ptr");
TJ_STATIC_ASSERT(offsetof(tj_plugin_api_v1, describe) == 0, "describe is first in v1");
/* 1.2 appended get_extension at the END of tj_host_callbacks: the 1.0 fields keep their places. */
TJ_STATIC_ASSERT(offsetof(tj_host_callbacks, host_data) == 0, "host_data is first");
TJ_STATIC_ASSERT(offsetof(tj_host_callbacks, get_secret) == 2 * sizeof(void*), "1.0 fields unchanged");
TJ_STATIC_ASSERT(offsetof(tj_host_callbacks, get_extension) == 3 * sizeof(void*), "get_extension is last");
TJ_STATIC_ASSERT(sizeof(tj_host_callbacks) == 4 * sizeof(void*), "nothing after get_extension");
TJ_STATIC_ASSERT(offsetof(tj_plugin_events_v1, notify) == 0, "notify is first in events v1");
TJ_STATIC_ASSERT(offsetof(tj_host_cache_v1, invalidate) == 0, "invalidate is first in host cache v1");

static void on_invalidate(void* host_data, tj_str_view tag) {
    (void)host_data;
    (void)tag;
}

static const tj_host_cache_v1 g_host_cache = {on_invalidate};

static const void* on_get_extension(void* host_data, const char* extension_id) {
    (void)host_data;
    return extension_id && extension_id[0] == 't' ? (const void*)&g_host_cache : NULL;
}

static void on_done(void* user_data, uint64_t ticket, tj_status status, tj_str_view payload) {
    (void)user_data;
    (void)ticket;
    (void)status;
    (void)payload;
}

int tj_header_check(const tj_plugin_entry* entry);
int tj_header_check(const tj_plugin_entry* entry) {
    const tj_plugin_api_v1* api;
    const tj_plugin_stats_v1* stats;
    const tj_plugin_events_v1* events;
    const tj_host_cache_v1* cache;
    tj_abi_version v = {TJ_ABI_VERSION_MAJOR, TJ_ABI_VERSION_MINOR};
    tj_host_callbacks cb = {NULL, NULL, NULL, on_get_extension};
    tj_str_view event = {"{}", 2};
    tj_config_source src = {{"", 0}, {NULL, 0}};
    tj_plugin_owned_str out = {NULL, 0};
    tj_instance* inst = NULL;
    tj_completion_fn done = on_done;
    uint64_t ticket = 0;
    tj_log_level level = TJ_LOG_INFO;
    tj_str_view context = {"{}", 2};
    if (entry->init(v) != TJ_STATUS_OK) {
        return 1;
    }
    api = (const tj_plugin_api_v1*)entry->get_api(TJ_PLUGIN_API_V1);
    if (!api) {
        return 2;
    }
    if (api->create(&cb, &src, &inst, &out) != TJ_STATUS_OK) {
        return 3;
    }
    (void)api->submit(inst, context, 0, done, NULL, &ticket);
    stats = (const tj_plugin_stats_v1*)entry->get_api(TJ_PLUGIN_STATS_V1);
    if (stats && stats->stats(inst, &out) == TJ_STATUS_OK) {
        api->release_str(&out);
    }
    events = (const tj_plugin_events_v1*)entry->get_api(TJ_PLUGIN_EVENTS_V1);
    if (events) {
        (void)events->notify(inst, event);
    }
    cache = (const tj_host_cache_v1*)cb.get_extension(cb.host_data, TJ_HOST_CACHE_V1);
    if (cache) {
        cache->invalidate(cb.host_data, event);
    }
    api->destroy(inst);
    api->release_str(&out);
    entry->deinit();
    return (int)level + (int)TJ_STATUS_INTERNAL + (int)(sizeof TJ_PLUGIN_ENTRY_SYMBOL);
}
