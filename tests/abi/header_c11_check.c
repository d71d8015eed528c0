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

static void on_done(void *user_data, uint64_t ticket, tj_status status, tj_str_view payload) {
    (void)user_data;
    (void)ticket;
    (void)status;
    (void)payload;
}

int tj_header_check(const tj_plugin_entry *entry);
int tj_header_check(const tj_plugin_entry *entry) {
    const tj_plugin_api_v1 *api;
    const tj_plugin_stats_v1 *stats;
    tj_abi_version v = {TJ_ABI_VERSION_MAJOR, TJ_ABI_VERSION_MINOR};
    tj_host_callbacks cb = {NULL, NULL, NULL};
    tj_config_source src = {{"", 0}, {NULL, 0}};
    tj_plugin_owned_str out = {NULL, 0};
    tj_instance *inst = NULL;
    tj_completion_fn done = on_done;
    uint64_t ticket = 0;
    tj_log_level level = TJ_LOG_INFO;
    tj_str_view context = {"{}", 2};
    if (entry->init(v) != TJ_STATUS_OK) return 1;
    api = (const tj_plugin_api_v1 *)entry->get_api(TJ_PLUGIN_API_V1);
    if (!api) return 2;
    if (api->create(&cb, &src, &inst, &out) != TJ_STATUS_OK) return 3;
    (void)api->submit(inst, context, 0, done, NULL, &ticket);
    stats = (const tj_plugin_stats_v1 *)entry->get_api(TJ_PLUGIN_STATS_V1);
    if (stats && stats->stats(inst, &out) == TJ_STATUS_OK) api->release_str(&out);
    api->destroy(inst);
    api->release_str(&out);
    entry->deinit();
    return (int)level + (int)TJ_STATUS_INTERNAL + (int)(sizeof TJ_PLUGIN_ENTRY_SYMBOL);
}
