// What a tracked relation is on a node of a Citus cluster: a shard of a
// distributed (or reference) table records its events about that table, and
// a reference table's row is recorded by one placement only. Without the
// citus extension in the database nothing here costs more than one lookup of
// pg_extension per table tracking build.
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

struct CitusIdentity {
    Oid logical;  // the Citus table `relation` is a shard of; InvalidOid: not a shard (or no Citus)
    bool record;  // false on a replicated (reference) table's placements other than the lowest group's
};

/// For a shard on a Citus node: its Citus table (the shell table on a worker)
/// and whether this placement records events. Not a shard, or no Citus:
/// {InvalidOid, true}. Runs a query over SPI (Citus's metadata tables): call
/// it only where SPI may be used (a trigger), and cache the answer.
CitusIdentity citus_identity(Oid relation);

/// Whether `relation` is itself a Citus table (a row in pg_dist_partition):
/// writes to it must go through Citus's executor. Cached per relation until
/// its relcache entry is invalidated; false without Citus.
bool is_citus_table(Oid relation);

/// Forgets the cached answer of is_citus_table (relcache callback: no error,
/// no allocation, no catalog access).
void citus_forget(Oid relation);

}  // namespace eventlog::pg
