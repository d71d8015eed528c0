/* The smallest C11 host: loads a plugin through the entry symbol, checks the ABI major, asks
 * for the v1 api and prints the plugin's description. Exit 0 only when all of that worked. */
#include <tooljump/plugin.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    void* lib = dlopen(PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen %s: %s\n", PLUGIN_PATH, dlerror());
        return 1;
    }
    const tj_plugin_entry* entry = (const tj_plugin_entry*)dlsym(lib, TJ_PLUGIN_ENTRY_SYMBOL);
    if (!entry || entry->abi_version.major != TJ_ABI_VERSION_MAJOR) {
        fprintf(stderr, "no entry, or another ABI major\n");
        return 1;
    }
    tj_abi_version host = {TJ_ABI_VERSION_MAJOR, TJ_ABI_VERSION_MINOR};
    if (entry->init(host) != TJ_STATUS_OK) {
        fprintf(stderr, "init refused\n");
        return 1;
    }
    const tj_plugin_api_v1* api = (const tj_plugin_api_v1*)entry->get_api(TJ_PLUGIN_API_V1);
    tj_plugin_owned_str out = {NULL, 0};
    int rc = 1;
    if (api && api->describe(NULL, &out) == TJ_STATUS_OK && out.ptr_plugin_owned) {
        printf("package ABI %s, plugin ABI %u.%u: %s\n", PACKAGE_ABI, (unsigned)entry->abi_version.major,
               (unsigned)entry->abi_version.minor, out.ptr_plugin_owned);
        rc = strstr(out.ptr_plugin_owned, "\"name\":\"circleci\"") ? 0 : 1;
        api->release_str(&out);
    }
    entry->deinit();
    dlclose(lib);
    return rc;
}
