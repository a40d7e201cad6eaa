// Keeping a time-partitioned log's partitions ready. The writer calls
// keep_partitions_ready before writing into a partitioned eventlog: it runs
// eventlog_partition_maintain() with the log owner's rights when that is
// due (once per partition interval in each backend, and again after any
// change to the log's table), so the partition for "now" always exists and
// the next ones are created ahead of time without any scheduler.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

void keep_partitions_ready(Oid extension_namespace, Oid table);

/// Makes the next write look again after a change to `relation` (InvalidOid:
/// any relation), when it is the log (relcache invalidation, through
/// cache_invalidation.cpp).
void forget_partitions_ready(Oid relation);

}  // namespace eventlog::pg
