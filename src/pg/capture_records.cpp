#include "pg/capture_records.hpp"
#include "pg/binary_record.hpp"

namespace eventlog::pg {

void put_captured_event(StringInfo out, const CapturedEvent* e) {
    const EventCommon* c = &e->common;
    put_value(out, static_cast<char>(CapturedKind::Event));
    put_value(out, c->object_table);
    put_value(out, c->timestamp);
    put_value(out, U64FromFullTransactionId(c->transaction_id));
    put_string(out, c->actor);
    put_string(out, c->actor_id);
    put_string(out, c->object_type);
    put_string(out, c->tool);
    put_string(out, c->action);
    put_string(out, c->db_user);
    put_varlena(out, c->template_message);
    put_varlena(out, c->values_json);
    put_varlena(out, c->context);
    put_string(out, e->object_id);
    put_varlena(out, e->message);
    put_varlena(out, e->changes);
}

void put_captured_failure(StringInfo out, const CapturedFailure* f) {
    put_value(out, static_cast<char>(CapturedKind::Failure));
    put_value(out, f->table);
    put_value(out, f->lsn);
    put_value(out, U64FromFullTransactionId(f->transaction_id));
    put_string(out, f->object_type);
    put_string(out, f->action);
    put_string(out, f->sqlstate);
    put_string(out, f->error);
}

void put_captured_end(StringInfo out, const CapturedEnd* end) {
    put_value(out, static_cast<char>(CapturedKind::End));
    put_value(out, end->end_lsn);
    put_value(out, end->commit_time);
}

char captured_kind(const char* data, Size size) { return size > 0 ? data[0] : 0; }

bool get_captured_event(const char* data, Size size, CapturedEvent* e) {
    RecordReader r = {data, size, 1};
    EventCommon* c = &e->common;
    *c = EventCommon{};
    uint64 xid;
    void *template_message, *values_json, *context, *message, *changes;
    if (!get_value(&r, &c->object_table) || !get_value(&r, &c->timestamp) || !get_value(&r, &xid) ||
        !get_string(&r, &c->actor) || !get_string(&r, &c->actor_id) || !get_string(&r, &c->object_type) ||
        !get_string(&r, &c->tool) || !get_string(&r, &c->action) || !get_string(&r, &c->db_user) ||
        !get_varlena(&r, &template_message) || !get_varlena(&r, &values_json) || !get_varlena(&r, &context) ||
        !get_string(&r, &e->object_id) || !get_varlena(&r, &message) || !get_varlena(&r, &changes) || r.at != r.size ||
        c->db_user == nullptr || message == nullptr)
        return false;
    c->transaction_id = FullTransactionIdFromU64(xid);
    c->template_message = static_cast<text*>(template_message);
    c->values_json = static_cast<Jsonb*>(values_json);
    c->context = static_cast<Jsonb*>(context);
    e->message = static_cast<text*>(message);
    e->changes = static_cast<Jsonb*>(changes);
    return true;
}

bool get_captured_failure(const char* data, Size size, CapturedFailure* f) {
    RecordReader r = {data, size, 1};
    uint64 xid;
    if (!get_value(&r, &f->table) || !get_value(&r, &f->lsn) || !get_value(&r, &xid) ||
        !get_string(&r, &f->object_type) || !get_string(&r, &f->action) || !get_string(&r, &f->sqlstate) ||
        !get_string(&r, &f->error) || r.at != r.size)
        return false;
    f->transaction_id = FullTransactionIdFromU64(xid);
    return true;
}

bool get_captured_end(const char* data, Size size, CapturedEnd* end) {
    RecordReader r = {data, size, 1};
    return get_value(&r, &end->end_lsn) && get_value(&r, &end->commit_time) && r.at == r.size;
}

}  // namespace eventlog::pg
