// Shards and placements on a Citus node. PostgreSQL-style code (no C++
// objects): the Citus metadata is read with SPI and a catalog scan.
#include <cstdlib>
#include <cstring>

#include "pg/citus_identity.hpp"

namespace eventlog::pg {

namespace {

/// The shard id Citus appends to a shard's name ("cert_int_102009" ->
/// 102009); 0 when the name does not end with "_<digits>".
int64 shard_id_suffix(const char* name) {
    const char* underscore = std::strrchr(name, '_');
    if (underscore == nullptr || underscore[1] == '\0') return 0;
    for (const char* p = underscore + 1; *p != '\0'; p++)
        if (*p < '0' || *p > '9') return 0;
    return std::strtoll(underscore + 1, nullptr, 10);
}

/// The last relation asked about by is_citus_table, and the answer.
Oid cached_relation = InvalidOid;
bool cached_answer = false;

}  // namespace

CitusIdentity citus_identity(Oid relation) {
    CitusIdentity identity = {InvalidOid, true};
    if (!OidIsValid(get_extension_oid("citus", true))) return identity;
    char* name = get_rel_name(relation);
    int64 shard = name != nullptr ? shard_id_suffix(name) : 0;
    if (shard == 0) return identity;
    // relation_is_a_known_shard compares the name Citus generates for the
    // shard (long names included) and the schema. A replicated table
    // (repmodel 't': reference tables) fires its triggers on every placement;
    // only the lowest group holding one records (the coordinator's, when the
    // coordinator is in the metadata).
    const char* sql =
        "SELECT s.logicalrelid, "
        "       p.repmodel OPERATOR(pg_catalog.<>) 't' OR "
        "       (SELECT pg_catalog.min(pl.groupid) FROM pg_catalog.pg_dist_placement pl "
        "        WHERE pl.shardid OPERATOR(pg_catalog.=) s.shardid) "
        "       OPERATOR(pg_catalog.=) (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) "
        "FROM pg_catalog.pg_dist_shard s "
        "JOIN pg_catalog.pg_dist_partition p ON p.logicalrelid OPERATOR(pg_catalog.=) s.logicalrelid "
        "WHERE s.shardid OPERATOR(pg_catalog.=) $1 AND pg_catalog.relation_is_a_known_shard($2)";
    Oid types[2] = {INT8OID, REGCLASSOID};
    Datum values[2] = {Int64GetDatum(shard), ObjectIdGetDatum(relation)};
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute_with_args(sql, 2, types, values, nullptr, true, 1);
    if (rc != SPI_OK_SELECT) elog(ERROR, "eventlog: looking up a Citus shard failed: %s", SPI_result_code_string(rc));
    if (SPI_processed == 1) {
        bool isnull;
        Datum logical = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        if (!isnull) identity.logical = DatumGetObjectId(logical);
        Datum record = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
        identity.record = isnull || DatumGetBool(record);
    }
    SPI_finish();
    return identity;
}

bool is_citus_table(Oid relation) {
    if (relation == cached_relation) return cached_answer;
    bool found = false;
    Oid catalog = OidIsValid(get_extension_oid("citus", true))
                      ? get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)
                      : InvalidOid;
    if (OidIsValid(catalog)) {
        // pg_dist_partition's first column is logicalrelid; a small catalog,
        // scanned once per relcache invalidation of `relation`.
        Relation partitions = table_open(catalog, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relation));
        SysScanDesc scan = systable_beginscan(partitions, InvalidOid, false, nullptr, 1, &key);
        found = HeapTupleIsValid(systable_getnext(scan));
        systable_endscan(scan);
        table_close(partitions, AccessShareLock);
    }
    cached_relation = relation;
    cached_answer = found;
    return found;
}

void citus_forget(Oid relation) {
    if (relation == InvalidOid || relation == cached_relation) cached_relation = InvalidOid;
}

}  // namespace eventlog::pg
