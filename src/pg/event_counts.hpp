// Exact counts without counting: the number of events per tool, actor,
// actor_id, action and object_type (and per table the events are about,
// which is what the visibility rule needs), kept in two tables of the
// extension:
//   eventlog_count_deltas  one row per write (the events of one write share
//                          tool, actor, actor_id, action, object_type,
//                          object_table), or per key of a batch (WAL
//                          capture applying many transactions at once),
//                          in the same transaction as its events; negative
//                          rows for what eventlog_purge removes;
//   eventlog_counts        the folded sums, one row per (filter, value,
//                          object_table).
// A count is the sum of a key's rows in both. Writers fold the committed
// deltas into eventlog_counts now and then, one backend at a time and never
// waiting for another, which keeps eventlog_count_deltas short.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// What one write shares, as counted.
struct CountKey {
    const char* tool;
    const char* actor;
    const char* actor_id;
    const char* action;
    const char* object_type;
    Oid object_table;  // InvalidOid: none
};

/// Adds `events` (negative for removed events) to the counts of `key`, in the
/// current transaction. Does nothing on a log created before the counts
/// existed (version 1.2 and older, until ALTER EXTENSION eventlog UPDATE).
/// Now and then also folds the deltas (see fold_count_deltas).
void record_count_delta(Oid extension_namespace, const CountKey* key, int64 events);

/// While deferred, record_count_delta never folds: the caller writes many
/// deltas in one transaction (WAL capture applying a batch of transactions)
/// and folds once at its end with fold_count_deltas_if_due.
void defer_count_folds(bool defer);

/// While a batch is open, record_count_delta writes nothing: it sums the
/// deltas per key in memory (of the top transaction), and
/// write_count_delta_batch writes the sums, one row per key (WAL capture
/// applying a buffer of many small transactions in one: one row per key
/// instead of one per transaction). The batch is of the current transaction
/// only: write it before the transaction (or the subtransaction holding
/// its events) ends, or discard it.
void begin_count_delta_batch();

/// Writes the open batch's sums and closes it.
void write_count_delta_batch();

/// Closes the batch without writing it (its events were rolled back); no
/// PostgreSQL call, so safe in a destructor.
void discard_count_delta_batch() noexcept;

/// Folds when this backend has written enough deltas since its last fold
/// (the rule record_count_delta follows), and never waits for another fold.
void fold_count_deltas_if_due(Oid extension_namespace);

/// Folds the committed deltas into eventlog_counts with the owner's rights
/// and returns how many delta rows it folded. wait: wait for a fold running
/// in another transaction to end; otherwise return -1 at once when one runs.
int64 fold_count_deltas(Oid extension_namespace, bool wait);

/// Recounts every event of the log into eventlog_counts (and empties
/// eventlog_count_deltas), with writers held off meanwhile; returns the
/// number of events counted.
int64 rebuild_counts(Oid extension_namespace);

/// True when the current role's sums over the counts tables equal its
/// counts of the log: row security applies to the log and both counts
/// tables alike (all bypassed, or all with the same policies: names,
/// commands, roles, kinds and expressions). Answered from a cache that
/// relcache and role changes clear.
bool counts_stand_for_log(Oid extension_namespace);

/// Forgets counts_stand_for_log's answer when it was about `relation`
/// (InvalidOid: any relation) (relcache invalidation, through
/// cache_invalidation.cpp).
void forget_counts_stand(Oid relation);

/// Forgets counts_stand_for_log's answer after a change to roles or role
/// membership (syscache invalidation of pg_authid and pg_auth_members).
void forget_counts_stand_on_role_change(uint32 hash_value);

/// Whether the counts carry actor_id (eventlog_count_deltas has the column:
/// version 1.4 and later; a log of 1.3 has it after ALTER EXTENSION eventlog
/// UPDATE, and until then neither the log nor the counts have it).
bool counts_have_actor_id(Oid extension_namespace);

/// The columns of the log a count key is made of, as an SQL list:
/// "tool, actor, action, object_type, object_table" and ", actor_id" when
/// with_actor_id.
const char* count_key_columns(bool with_actor_id);

/// SQL (for SPI, run with the owner's rights) adding negative deltas for the
/// events of `source`, a relation or a CTE name, each row having the
/// columns of count_key_columns(with_actor_id); `schema` quoted.
char* negative_deltas_sql(const char* schema, const char* source, bool with_actor_id);

}  // namespace eventlog::pg
