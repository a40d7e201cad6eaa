#include <memory>
#include <unordered_map>
#include <utility>

#include "core/error.hpp"

#include "pg/table_tracking.hpp"
#include "pg/boundary.hpp"
#include "pg/citus_identity.hpp"
#include "pg/pg_compat.hpp"

namespace eventlog::pg {

namespace {

using Cache = std::unordered_map<Oid, std::unique_ptr<TableTracking>>;

/// Current entries by table oid: the triggers' (the tables as they are
/// now) and the WAL decoder's (the tables as they were at a decoded change).
Cache& cache(bool decoding = false) {
    static Cache entries;
    static Cache decoding_entries;
    return decoding ? decoding_entries : entries;
}

/// Entries replaced during this transaction: a trigger may still hold them,
/// so they are freed only when the transaction ends.
std::vector<std::unique_ptr<TableTracking>>& retired() {
    static std::vector<std::unique_ptr<TableTracking>> entries;
    return entries;
}

std::unique_ptr<TableTracking> build(Relation table, const char* trigger_argument, bool decoding) {
    auto t = std::make_unique<TableTracking>();
    t->table = RelationGetRelid(table);
    t->trigger_argument = trigger_argument;
    t->options = TrackingOptions::from_json(trigger_argument);
    Oid table_oid = t->table;
    t->memory = pg_call(
        [] { return AllocSetContextCreate(CacheMemoryContext, "eventlog table tracking", ALLOCSET_SMALL_SIZES); });
    // On a Citus node a shard's events are about its Citus table (on a
    // worker, the shell table of the same name), and a reference table's row
    // is recorded by one placement only.
    CitusIdentity citus = {InvalidOid, true};
    CitusIdentity* citus_out = &citus;
    if (!decoding) pg_call([&] { *citus_out = citus_identity(table_oid); });
    if (OidIsValid(citus.logical)) t->table = table_oid = citus.logical;
    t->record = citus.record;
    char* object_type = pg_call([&] { return object_type_name(table_oid); });
    t->object_type = object_type;

    TupleDesc descriptor = RelationGetDescr(table);
    for (int i = 0; i < descriptor->natts; i++) {
        Form_pg_attribute attribute = TupleDescAttr(descriptor, i);
        TrackedColumn column;
        column.name = NameStr(attribute->attname);
        column.dropped = attribute->attisdropped;
        column.excluded = false;
        for (const std::string& name : t->options.exclude_columns) column.excluded |= name == column.name;
        column.typlen = attribute->attlen;
        column.typbyval = attribute->attbyval;
        if (!column.dropped) {
            Oid type = attribute->atttypid;
            MemoryContext memory = t->memory;
            pg_call([&] { converter_init(&column.converter, type, memory); });
        }
        t->columns.push_back(std::move(column));
    }

    TableTracking* raw = t.get();
    raw->has_key = pg_call([&] { return OidIsValid(immediate_primary_key_index(table)); });
    if (raw->has_key) pg_call([&] { primary_key_load(table, &raw->key, raw->memory, "eventlog"); });

    std::vector<std::string> names = column_names(descriptor);
    for (int i = 0; i < kTrackedActions; ++i) {
        auto action = static_cast<TrackedAction>(i);
        std::string text = t->options.message_for(action);
        try {
            validate_message(action, text, names);
        } catch (const Error&) {
            text = default_message(action);  // the table changed under the template
        }
        t->templates[i] = MessageTemplate::parse(text);
        t->template_text[i] = std::move(text);
    }
    return t;
}

void end_of_transaction(XactEvent event, void*) {
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_COMMIT ||
        event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE)
        retired().clear();
}

}  // namespace

void forget_table_tracking(Oid table) {
    for (bool decoding : {false, true}) {
        for (auto& [oid, entry] : cache(decoding)) {
            if (table == InvalidOid || oid == table) entry->valid = false;
        }
    }
}

const TrackedColumn* TableTracking::column(const std::string& name) const {
    for (const TrackedColumn& c : columns) {
        if (!c.dropped && c.name == name) return &c;
    }
    return nullptr;
}

TableTracking::~TableTracking() {
    // MemoryContextDelete does not raise errors.
    if (memory != nullptr) MemoryContextDelete(memory);
}

std::vector<std::string> column_names(TupleDesc descriptor) {
    std::vector<std::string> names;
    for (int i = 0; i < descriptor->natts; i++) {
        Form_pg_attribute attribute = TupleDescAttr(descriptor, i);
        if (!attribute->attisdropped) names.emplace_back(NameStr(attribute->attname));
    }
    return names;
}

namespace {

TableTracking* cached_tracking(Relation table, const char* trigger_argument, bool decoding) {
    Cache& entries = cache(decoding);
    Oid oid = RelationGetRelid(table);
    auto found = entries.find(oid);
    if (found != entries.end() && found->second->valid && found->second->trigger_argument == trigger_argument &&
        found->second->columns.size() == static_cast<size_t>(RelationGetDescr(table)->natts))
        return found->second.get();

    std::unique_ptr<TableTracking> fresh = build(table, trigger_argument, decoding);
    TableTracking* result = fresh.get();
    if (found != entries.end()) {
        retired().push_back(std::move(found->second));
        found->second = std::move(fresh);
    } else {
        entries.emplace(oid, std::move(fresh));
    }
    return result;
}

}  // namespace

TableTracking* table_tracking(Relation table, const char* trigger_argument) {
    return cached_tracking(table, trigger_argument, false);
}

TableTracking* table_tracking_for_decoding(Relation table, const char* options) {
    return cached_tracking(table, options, true);
}

}  // namespace eventlog::pg

extern "C" {

static void eventlog_xact_callback(XactEvent event, void* arg) {
    eventlog::pg::guarded_callback([&] { eventlog::pg::end_of_transaction(event, arg); });
}

}  // extern "C"

namespace eventlog::pg {

void register_tracking_callbacks() { RegisterXactCallback(eventlog_xact_callback, nullptr); }

}  // namespace eventlog::pg
