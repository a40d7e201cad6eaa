#include <cstring>

#include "pg/direct_insert.hpp"

namespace eventlog::pg {

bool inserts_like_copy(Relation table, const ColumnShape* shape, int columns) {
    // (relhasrules can stay set after the last rule is dropped; rd_rules is
    // what the rewriter would apply.)
    if (table->rd_rel->relkind != RELKIND_RELATION || table->rd_rel->relforcerowsecurity ||
        (table->rd_rules != nullptr && table->rd_rules->numLocks > 0))
        return false;
    TriggerDesc* triggers = table->trigdesc;
    if (triggers != nullptr && (triggers->trig_insert_before_row || triggers->trig_insert_after_row ||
                                triggers->trig_insert_instead_row || triggers->trig_insert_before_statement ||
                                triggers->trig_insert_after_statement || triggers->trig_insert_new_table))
        return false;
    TupleDesc descriptor = RelationGetDescr(table);
    if (descriptor->natts != columns) return false;
    if (descriptor->constr != nullptr && descriptor->constr->num_check > 0) return false;
    for (int i = 0; i < columns; i++) {
        Form_pg_attribute attribute = TupleDescAttr(descriptor, i);
        if (attribute->attisdropped || attribute->atttypid != shape[i].type ||
            attribute->attnotnull != shape[i].not_null || attribute->attgenerated ||
            std::strcmp(NameStr(attribute->attname), shape[i].name) != 0)
            return false;
    }
    return true;
}

}  // namespace eventlog::pg
