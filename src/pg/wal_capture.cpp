#include "pg/wal_capture.hpp"

namespace eventlog::pg {

void capture_slot_name(Oid database, char* out) { snprintf(out, NAMEDATALEN, "eventlog_%u", database); }

bool capture_slot_exists(Oid database) {
    if (max_replication_slots == 0) return false;
    char name[NAMEDATALEN];
    capture_slot_name(database, name);
    return SearchNamedReplicationSlot(name, true) != nullptr;
}

void allow_eventlog_plugin(bool local) {
    const char* current = GetConfigOption("output_plugin_libraries", true, false);
    if (current == nullptr) return;  // a server that loads any plugin
    char* list = pstrdup(current);
    List* names = NIL;
    if (SplitIdentifierString(list, ',', &names)) {
        ListCell* cell;
        foreach (cell, names) {
            if (strcmp(static_cast<const char*>(lfirst(cell)), "eventlog") == 0) return;
        }
    }
    char* value = psprintf("%s%seventlog", current, current[0] != '\0' ? ", " : "");
    (void) set_config_option("output_plugin_libraries", value, PGC_SUSET, PGC_S_SESSION,
                             local ? GUC_ACTION_LOCAL : GUC_ACTION_SET, true, ERROR, false);
}

}  // namespace eventlog::pg
