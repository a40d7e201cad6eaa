#include "pg/owner_rights.hpp"

namespace eventlog::pg {

Oid table_owner(Oid table) {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(table));
    if (!HeapTupleIsValid(tuple)) elog(ERROR, "eventlog: cache lookup failed for relation %u", table);
    Oid owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    return owner;
}

SavedUser become_table_owner(Oid table) {
    SavedUser saved;
    GetUserIdAndSecContext(&saved.user, &saved.context);
    SetUserIdAndSecContext(table_owner(table),
                           saved.context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    return saved;
}

void restore_user(const SavedUser& saved) { SetUserIdAndSecContext(saved.user, saved.context); }

}  // namespace eventlog::pg
