// What a capture trigger knows about its table: options, columns, primary
// key, parsed message templates. Built once per table and kept until DDL on
// the table (or new tracking options) makes it stale.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/message_template.hpp"
#include "core/tracking_options.hpp"
#include "pg/jsonb_conversion.hpp"
#include "pg/postgres.hpp"
#include "pg/row_identity.hpp"

namespace eventlog::pg {

struct TrackedColumn {
    std::string name;
    bool dropped;
    bool excluded;
    int16 typlen;
    bool typbyval;
    JsonbConverter converter;  // memory from TableTracking::memory
};

struct TableTracking {
    Oid table = InvalidOid;
    std::string trigger_argument;  // the options JSON it was built from
    bool valid = true;             // false once DDL touched the table
    MemoryContext memory = nullptr;
    std::string object_type;
    bool record = true;  // false on a Citus reference table's placements that leave the row to another
    TrackingOptions options;
    /// Per action: the template in force (the option's, or the default when
    /// the option no longer fits the table, e.g. after a column rename).
    std::array<std::string, kTrackedActions> template_text;
    std::array<MessageTemplate, kTrackedActions> templates;
    std::vector<TrackedColumn> columns;  // index: attnum - 1
    bool has_key = false;
    PrimaryKey key;

    /// The column named `name`, or nullptr.
    const TrackedColumn* column(const std::string& name) const;

    TableTracking() = default;
    TableTracking(const TableTracking&) = delete;
    TableTracking& operator=(const TableTracking&) = delete;
    ~TableTracking();
};

/// The tracking of `table` for a trigger whose argument is
/// `trigger_argument`: from the cache when still valid, else built now.
/// The pointer stays valid until the end of the transaction.
TableTracking* table_tracking(Relation table, const char* trigger_argument);

/// The same for WAL capture's decoder: `table` as logical decoding sees it
/// (its columns at the time of the change), from a cache of its own, so
/// that a table's shape at a decoded change never serves a trigger.
TableTracking* table_tracking_for_decoding(Relation table, const char* options);

/// The names of a table's live columns, in order.
std::vector<std::string> column_names(TupleDesc descriptor);

/// Marks the tracking of `table` (InvalidOid: of every table) stale, to be
/// built anew by the next trigger (relcache invalidation, through
/// cache_invalidation.cpp).
void forget_table_tracking(Oid table);

/// Registers the end-of-transaction callback (_PG_init).
void register_tracking_callbacks();

}  // namespace eventlog::pg
