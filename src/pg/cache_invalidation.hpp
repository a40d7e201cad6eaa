// The library's one relcache invalidation callback, and its one syscache
// callback per syscache id, each calling every cache of the library that
// depends on it. PostgreSQL has a fixed number of slots per backend for
// these (10 relcache callbacks, shared with PostgreSQL itself and every
// other loaded library, Citus taking most of them): a cache never registers
// a callback of its own. To add one, write its forget function (no error,
// no allocation, no catalog access) and add one line to the lists at the top
// of cache_invalidation.cpp (see CONTRIBUTING.md, "Caches").
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// What a cache forgets when PostgreSQL invalidates the relcache entry of
/// `relation` (InvalidOid: of every relation).
using RelationCacheForget = void (*)(Oid relation);

/// What a cache forgets when a row of a syscache it depends on changes
/// (`hash_value` 0: every row).
using SyscacheForget = void (*)(uint32 hash_value);

/// Registers the relcache callback and the syscache callbacks (_PG_init,
/// once per backend).
void register_cache_callbacks();

}  // namespace eventlog::pg
