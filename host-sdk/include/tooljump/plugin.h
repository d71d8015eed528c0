/*
 * tooljump/plugin.h: the C ABI between a ToolJump host and a native integration plugin.
 *
 * This is the only header a host needs. It compiles as C11 and as C++20.
 *
 * Shape (after CLAP's entry/factory, Envoy's dynamic-module ABI and SQLite's extensions):
 *   - The plugin exports exactly one symbol, `tooljump_plugin_entry` (TJ_PLUGIN_ENTRY_SYMBOL),
 *     a tj_plugin_entry whose FIRST field is the ABI version. A host reads that field before
 *     anything else and refuses a plugin whose major differs from its own.
 *   - init()/deinit() are reference counted: every successful init() is matched by one deinit().
 *     init() receives the host's ABI version; the plugin refuses a host it cannot serve.
 *   - Features are reached through get_api(id) with versioned ids (TJ_PLUGIN_API_V1 ...).
 *     A new feature is a new id with a new struct; an existing struct never changes layout.
 *
 * Ownership, written into names:
 *   - tj_str_view:           borrowed (pointer, length); valid only for the duration of the call
 *                            (or of the callback) it is passed to. Never NUL-terminated by contract.
 *   - tj_plugin_owned_str:   allocated by the plugin; the host hands it back through
 *                            tj_plugin_api_v1.release_str(). A host never free()s plugin memory.
 *   - Host callbacks receive only borrowed views; nothing a callback returns is kept by pointer.
 *
 * Errors: every call that can fail returns tj_status. Nothing throws across the boundary.
 *
 * Threads (each function's doc names one):
 *   [any-thread]      may be called from any thread, concurrently with other [any-thread] calls.
 *   [host-thread]     a thread of the host's, never concurrently with destroy() on the same instance.
 *   [plugin-thread]   the plugin calls the host from one of the plugin's own threads.
 *
 * The callback rule: log() and every submit() completion of an instance run on that
 * instance's one callback thread, one at a time, in order; never on its io thread. A callback
 * that is slow or blocks therefore delays only the callbacks queued behind it: network I/O,
 * retries and deadlines go on (a query's answer is made by its deadline, then waits for the
 * callback thread to be delivered, so a blocked callback makes later completions LATE, never
 * wrong), and query() answers its caller directly, not through the callback thread.
 * destroy() waits for a running callback to return. get_secret() runs on the thread that
 * calls submit() or query(). A host extension's functions (get_extension) run where each one's
 * doc says: tj_host_cache_v1.invalidate on the instance's callback thread.
 */
#ifndef TOOLJUMP_PLUGIN_H
#define TOOLJUMP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TJ_ABI_VERSION_MAJOR 1u
#define TJ_ABI_VERSION_MINOR 2u /* 1: TJ_PLUGIN_STATS_V1; 2: TJ_PLUGIN_EVENTS_V1, host extensions */

/* The one symbol a plugin exports; find it with dlsym(handle, TJ_PLUGIN_ENTRY_SYMBOL). */
#define TJ_PLUGIN_ENTRY_SYMBOL "tooljump_plugin_entry"

/* Versioned feature ids for tj_plugin_entry.get_api(). */
#define TJ_PLUGIN_API_V1 "tooljump.plugin.v1"
#define TJ_PLUGIN_STATS_V1 "tooljump.plugin.stats.v1"   /* since 1.1; optional: a host asks, NULL = none */
#define TJ_PLUGIN_EVENTS_V1 "tooljump.plugin.events.v1" /* since 1.2; optional */

/* Versioned ids for tj_host_callbacks.get_extension() (since 1.2): what a host offers plugins. */
#define TJ_HOST_CACHE_V1 "tooljump.host.cache.v1"

typedef struct tj_abi_version {
    uint32_t major; /* incompatible changes */
    uint32_t minor; /* compatible additions (new api ids, new enum values) */
} tj_abi_version;

/* Status of every fallible call. Values are stable; new ones may be added in a minor version,
 * so a host treats an unknown value like TJ_STATUS_INTERNAL. */
typedef int32_t tj_status;
enum {
    TJ_STATUS_OK = 0,
    TJ_STATUS_INVALID_ARGUMENT = 1, /* null/overlong argument, malformed JSON */
    TJ_STATUS_BAD_CONFIG = 2,       /* YAML invalid or a value out of range; message names file:line:col */
    TJ_STATUS_NO_MATCH = 3,         /* resolve: the context maps to no CircleCI project */
    TJ_STATUS_CANCELLED = 4,        /* cancel() or destroy() ended the query */
    TJ_STATUS_TIMEOUT = 5,          /* the query's deadline passed */
    TJ_STATUS_BUSY = 6,             /* too many queries queued; retry later */
    TJ_STATUS_UNSUPPORTED = 7,      /* ABI version or api id the other side cannot serve */
    TJ_STATUS_NOT_INITIALIZED = 8,  /* call before init() or after the last deinit() */
    TJ_STATUS_UNKNOWN_TICKET = 9,   /* cancel(): the query already completed or never existed */
    TJ_STATUS_INTERNAL = 10         /* a bug; the message says where */
};

typedef int32_t tj_log_level;
enum { TJ_LOG_DEBUG = 0, TJ_LOG_INFO = 1, TJ_LOG_WARN = 2, TJ_LOG_ERROR = 3 };

/* Borrowed string: (pointer, length); ptr may be NULL only when len is 0. */
typedef struct tj_str_view {
    const char* ptr;
    size_t len;
} tj_str_view;

/* String owned by the plugin until released with tj_plugin_api_v1.release_str().
 * ptr_plugin_owned is NUL-terminated for convenience; len excludes the NUL. */
typedef struct tj_plugin_owned_str {
    const char* ptr_plugin_owned;
    size_t len;
} tj_plugin_owned_str;

/* Receives a secret's value. The view is borrowed for the call: the plugin copies it. */
typedef void (*tj_secret_sink)(void* sink_data, tj_str_view value);

/* What the host lends to an instance. The struct is copied by create(); host_data must stay
 * valid until destroy() returns. */
typedef struct tj_host_callbacks {
    void* host_data;

    /* [plugin-thread] A log line. message is borrowed for the call and never contains a secret.
     * May be NULL (logs are dropped). Must not call back into the plugin. Runs on the callback
     * thread (see the callback rule above): a log that blocks delays completions, not I/O. */
    void (*log)(void* host_data, tj_log_level level, tj_str_view message);

    /* [any-thread] Looks up a secret by name (e.g. "CIRCLECI_TOKEN"). The host hands only
     * secrets the plugin declared (describe()); for a known secret it calls sink exactly once,
     * synchronously, and returns TJ_STATUS_OK; otherwise it returns TJ_STATUS_NO_MATCH without
     * calling sink. May be NULL (no secrets). Never called from inside create(). */
    tj_status (*get_secret)(void* host_data, tj_str_view name, tj_secret_sink sink, void* sink_data);

    /* Since 1.2. [any-thread] Returns the host's struct for a versioned extension id (e.g.
     * TJ_HOST_CACHE_V1), or NULL for an id the host does not offer. The struct is owned by the
     * host and stays valid until destroy() returns; its functions take this struct's host_data.
     * May itself be NULL (the host offers none).
     * THE RULE: a plugin reads this field ONLY when the host's version passed to init() has
     * minor >= 2. A host of 1.0 or 1.1 passes a struct that ends before it: reading it there
     * reads past the host's struct. (The mirror of get_api: a host asks get_api for an id and
     * handles NULL; a plugin asks get_extension for an id and handles NULL.) */
    const void* (*get_extension)(void* host_data, const char* extension_id);
} tj_host_callbacks;

/* A config: YAML text, or the path of a YAML file. Exactly one of the two is non-empty. */
typedef struct tj_config_source {
    tj_str_view yaml_text;
    tj_str_view file_path;
} tj_config_source;

/* Called exactly once per successful submit(), on a plugin thread, never after destroy()
 * returns. On TJ_STATUS_OK payload is the results JSON array (ToolJump's result schema; an
 * upstream failure is an error card, still TJ_STATUS_OK); otherwise payload is a one-line
 * message. payload is borrowed for the call. */
typedef void (*tj_completion_fn)(void* user_data, uint64_t ticket, tj_status status, tj_str_view payload);

typedef struct tj_instance tj_instance; /* opaque, owned by the plugin */

/* TJ_PLUGIN_API_V1: the CircleCI integration's functions. */
typedef struct tj_plugin_api_v1 {
    /* [any-thread] JSON: {"name","version","abi":{"major","minor"},"description","match",
     * "requiredSecrets":[...],"cache","priority"}. With an instance, requiredSecrets also lists
     * the secrets its config names (per-project tokens). instance may be NULL. */
    tj_status (*describe)(const tj_instance* instance, tj_plugin_owned_str* out_json);

    /* [host-thread] Creates an instance. No host callback runs inside create(). On failure
     * *out_instance is NULL and *out_error (if not NULL) holds a message to release. */
    tj_status (*create)(const tj_host_callbacks* host, const tj_config_source* config, tj_instance** out_instance,
                        tj_plugin_owned_str* out_error);

    /* [host-thread] Cancels in-flight queries (each completes with TJ_STATUS_CANCELLED),
     * joins the plugin's threads and frees the instance. No callback runs after it returns.
     * NULL is a no-op. Must not be called from inside one of the instance's own callbacks:
     * there it would join the thread it runs on, so it is refused (nothing is freed, an error
     * is logged) and the host must destroy the instance later from a thread of its own. */
    void (*destroy)(tj_instance* instance);

    /* [any-thread] Replaces the config. On error the running config is kept and *out_error
     * names file:line:column and key. Queries already running finish with the old config. */
    tj_status (*reload)(tj_instance* instance, const tj_config_source* config, tj_plugin_owned_str* out_error);

    /* [any-thread] Starts a query for a ToolJump context (JSON object). Returns at once;
     * done is called exactly once on the plugin's callback thread (never inside submit()),
     * by the deadline: timeout_ms, or the config's timeouts.query_ms when 0. A context that is
     * not JSON, or lacks what it must hold, completes with TJ_STATUS_INVALID_ARGUMENT and a
     * message naming what is wrong. On a non-OK return (TJ_STATUS_BUSY when the config's
     * limits.max_queued_queries are in flight, TJ_STATUS_INVALID_ARGUMENT for NULL arguments)
     * done is never called and *out_ticket is 0; INVALID_ARGUMENT's reason goes to the host's
     * log (warn) when the instance is not NULL.
     * Secrets are looked up (get_secret) on the calling thread. */
    tj_status (*submit)(tj_instance* instance, tj_str_view context_json, uint32_t timeout_ms, tj_completion_fn done,
                        void* user_data, uint64_t* out_ticket);

    /* [any-thread] Asks a query to stop; its completion then carries TJ_STATUS_CANCELLED
     * (or its result, if it won the race). TJ_STATUS_INVALID_ARGUMENT only for a NULL
     * instance; TJ_STATUS_UNKNOWN_TICKET when the query already completed. */
    tj_status (*cancel)(tj_instance* instance, uint64_t ticket);

    /* [any-thread] Blocking query for simple hosts: *out holds the results JSON on
     * TJ_STATUS_OK, else the message. Cards that are cached and fresh are answered on the
     * calling thread without a thread hop; other answers come straight back to the caller,
     * never through the callback thread. TJ_STATUS_BUSY (with a message) as submit(). Must
     * not be called from inside a callback (it returns TJ_STATUS_INVALID_ARGUMENT there
     * rather than deadlock). */
    tj_status (*query)(tj_instance* instance, tj_str_view context_json, uint32_t timeout_ms, tj_plugin_owned_str* out);

    /* [any-thread] Without network: {"projects":[{"slug","rule",...}]} for the context.
     * TJ_STATUS_NO_MATCH when nothing maps (*out still explains why). */
    tj_status (*resolve)(tj_instance* instance, tj_str_view context_json, tj_plugin_owned_str* out);

    /* [any-thread] Gives back a string the plugin handed out; sets it to {NULL, 0}.
     * NULL and already-released strings are no-ops. */
    void (*release_str)(tj_plugin_owned_str* str);
} tj_plugin_api_v1;

/* TJ_PLUGIN_STATS_V1 (ABI 1.1, optional): the plugin's own counters, for a host's metrics.
 * A plugin of minor 0 has no such api (get_api returns NULL); a host then shows nothing. */
typedef struct tj_plugin_stats_v1 {
    /* [any-thread] *out_json (release with tj_plugin_api_v1.release_str) holds the counters
     * since create(), kept across reload(); every value a non-negative integer:
     *   {"queries":n,                                 queries accepted (submit, query)
     *    "cache":{"hits":n,"misses":n,"stale":n},     result-cache answers, per project
     *    "upstream":{"requests":{"200":n,"404":n},    HTTP responses by status, one per
     *                                                 attempt (retries, redirects included)
     *                "transport_errors":n}}           attempts without a response (connect,
     *                                                 TLS, reset, timeout)
     * Only statuses seen are listed. Readers ignore keys they do not know (later plugins may
     * add some). TJ_STATUS_INVALID_ARGUMENT for NULL arguments. */
    tj_status (*stats)(const tj_instance* instance, tj_plugin_owned_str* out_json);
} tj_plugin_stats_v1;

/* TJ_PLUGIN_EVENTS_V1 (ABI 1.2, optional): events from outside (e.g. CircleCI's webhooks, which
 * the host receives and checks), so that a plugin can drop what they made stale at once. */
typedef struct tj_plugin_events_v1 {
    /* [any-thread] Hands the plugin one event and returns at once (the plugin does any slow
     * work behind). event_json is borrowed for the call (the plugin copies what it keeps):
     *   {"source":"circleci","type":"<circleci-event-type>","id":"<event id>",
     *    "payload":<the delivery's JSON object, as received>}
     * The host has checked the delivery's signature and dropped repeated ids before it calls.
     * Returns TJ_STATUS_OK when the plugin took the event, TJ_STATUS_NO_MATCH when nothing of
     * this plugin is concerned (another source, a type it does not use), and
     * TJ_STATUS_INVALID_ARGUMENT for NULL arguments or JSON that is not of that shape (the
     * reason goes to the host's log, warn, when the instance is not NULL). */
    tj_status (*notify)(tj_instance* instance, tj_str_view event_json);
} tj_plugin_events_v1;

/* TJ_HOST_CACHE_V1 (host extension, ABI 1.2): the host's result cache, in front of the plugin's.
 * A host that caches the plugin's answers tags each with the project slugs of the plugin's
 * resolve() output for that context (a CDN's surrogate keys); the plugin purges by tag when
 * what it shows for a project changed (an event, a background refresh finished). */
typedef struct tj_host_cache_v1 {
    /* [plugin-thread: the instance's callback thread] Drops every answer of this plugin that
     * the host keeps tagged with `tag` (a project slug such as "gh/acme/api"; compared without
     * case): in memory and, for a host of several replicas, on every replica. host_data is
     * tj_host_callbacks.host_data; tag is borrowed for the call. Returns at once; must not call
     * back into the plugin. */
    void (*invalidate)(void* host_data, tj_str_view tag);
} tj_host_cache_v1;

/* The exported entry. Its first field is the ABI version and stays first in every version. */
typedef struct tj_plugin_entry {
    tj_abi_version abi_version;

    /* [host-thread] Counted: the first call sets the plugin up; later calls only count.
     * Returns TJ_STATUS_UNSUPPORTED when the host's major version differs. */
    tj_status (*init)(tj_abi_version host_abi_version);

    /* [host-thread] Undoes one init(). All instances must be destroyed before the last one. */
    void (*deinit)(void);

    /* [any-thread] Returns the struct for a versioned id (e.g. TJ_PLUGIN_API_V1), or NULL when
     * the id is unknown or init() has not succeeded. The struct lives until the last deinit().
     * The host side's mirror is tj_host_callbacks.get_extension (since 1.2), which a plugin may
     * read only when init() was given a host version of minor >= 2. */
    const void* (*get_api)(const char* api_id);
} tj_plugin_entry;

#ifdef __cplusplus
}
#endif

#endif /* TOOLJUMP_PLUGIN_H */
