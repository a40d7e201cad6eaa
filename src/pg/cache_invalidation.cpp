// The library's cache invalidation callbacks: one relcache callback and one
// syscache callback per syscache id, whatever the number of caches (see
// cache_invalidation.hpp). The only file that calls
// CacheRegisterRelcacheCallback or CacheRegisterSyscacheCallback
// (scripts/check-conventions; test/integration/callback_slots.sh counts the
// slots the library takes in a backend). PostgreSQL-style code (no C++
// objects).
#include "pg/cache_invalidation.hpp"

#include "pg/boundary.hpp"
#include "pg/citus_identity.hpp"
#include "pg/event_counts.hpp"
#include "pg/partition_upkeep.hpp"
#include "pg/pg_compat.hpp"
#include "pg/table_tracking.hpp"

namespace eventlog::pg {

namespace {

// ---- The caches: one line each. ------------------------------------------

/// Every cache that depends on relations (relcache invalidation).
constexpr RelationCacheForget relation_caches[] = {
    forget_table_tracking,    // capture triggers' per-table tracking (table_tracking.hpp)
    citus_forget,             // is_citus_table's answer (citus_identity.hpp)
    forget_partitions_ready,  // the log whose partitions were found ready (partition_upkeep.hpp)
    forget_counts_stand,      // counts_stand_for_log's answer (event_counts.hpp)
};

struct SyscacheDependency {
    SysCacheId cache;
    SyscacheForget forget;
};

/// Every cache that depends on rows of a syscache, per syscache.
constexpr SyscacheDependency syscache_caches[] = {
    // superuser and BYPASSRLS (pg_authid), membership in the owner role
    // (pg_auth_members) decide who bypasses row security
    {AUTHOID, forget_counts_stand_on_role_change},
    {AUTHMEMROLEMEM, forget_counts_stand_on_role_change},
};

// ---------------------------------------------------------------------------

void on_relcache_invalidation(Datum, Oid relation) {
    for (RelationCacheForget forget : relation_caches) guarded_callback([&] { forget(relation); });
}

void on_syscache_invalidation(Datum, SysCacheId cache, uint32 hash_value) {
    for (const SyscacheDependency& dependency : syscache_caches)
        if (dependency.cache == cache) guarded_callback([&] { dependency.forget(hash_value); });
}

}  // namespace

void register_cache_callbacks() {
    CacheRegisterRelcacheCallback(on_relcache_invalidation, (Datum) 0);
    // one callback per syscache id, however many caches depend on it
    constexpr int count = sizeof(syscache_caches) / sizeof(syscache_caches[0]);
    for (int i = 0; i < count; i++) {
        bool registered = false;
        for (int j = 0; j < i; j++) registered |= syscache_caches[j].cache == syscache_caches[i].cache;
        if (!registered) CacheRegisterSyscacheCallback(syscache_caches[i].cache, on_syscache_invalidation, (Datum) 0);
    }
}

}  // namespace eventlog::pg
