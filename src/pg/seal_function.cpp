// eventlog_seal_secret() RETURNS bytea: 32 bytes from PostgreSQL's strong
// random source, the secret of one sealed event (eventlog_seal).
// eventlog_next_xid() RETURNS xid8: the next transaction id to be assigned,
// without assigning one (eventlog_seal's horizon).
// PostgreSQL-style code (no C++ objects).
#include "pg/boundary.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

namespace {

constexpr int kSecretLength = 32;

Datum seal_secret(FunctionCallInfo) {
    bytea* secret = static_cast<bytea*>(palloc(VARHDRSZ + kSecretLength));
    SET_VARSIZE(secret, VARHDRSZ + kSecretLength);
    if (!pg_strong_random(VARDATA(secret), kSecretLength))
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("eventlog: could not generate random bytes")));
    PG_RETURN_BYTEA_P(secret);
}

Datum next_xid(FunctionCallInfo) { return FullTransactionIdGetDatum(ReadNextFullTransactionId()); }

}  // namespace

}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_seal_secret, eventlog::pg::seal_secret)
EVENTLOG_SQL_FUNCTION(eventlog_next_xid, eventlog::pg::next_xid)
