#include "pg/capture_context.hpp"
#include "pg/binary_record.hpp"
#include "pg/event_context.hpp"
#include "pg/event_writer.hpp"
#include "pg/pg_compat.hpp"

namespace eventlog::pg {

namespace {

constexpr uint8 kFormat = 1;

}  // namespace

void current_capture_context(CaptureContext* out) {
    out->timestamp = GetCurrentTimestamp();
    out->transaction_id = GetTopFullTransactionId();
    out->actor = default_actor();
    out->actor_id = default_actor_id();
    out->db_user = current_role_name();
    out->context = event_context(nullptr);
}

void emit_capture_context(const CaptureContext* context) {
    StringInfoData out;
    initStringInfo(&out);
    put_value(&out, kFormat);
    put_value(&out, context->timestamp);
    put_value(&out, U64FromFullTransactionId(context->transaction_id));
    put_string(&out, context->actor);
    put_string(&out, context->actor_id);
    put_string(&out, context->db_user);
    put_varlena(&out, context->context);
    log_logical_message(kCaptureMessagePrefix, out.data, out.len, true);
    pfree(out.data);
}

bool decode_capture_context(const char* data, Size size, CaptureContext* out) {
    RecordReader r = {data, size, 0};
    uint8 format;
    uint64 xid;
    void* context;
    if (!get_value(&r, &format) || format != kFormat || !get_value(&r, &out->timestamp) || !get_value(&r, &xid) ||
        !get_string(&r, &out->actor) || !get_string(&r, &out->actor_id) || !get_string(&r, &out->db_user) ||
        out->db_user == nullptr || !get_varlena(&r, &context) || r.at != r.size)
        return false;
    out->transaction_id = FullTransactionIdFromU64(xid);
    out->context = static_cast<Jsonb*>(context);
    return true;
}

}  // namespace eventlog::pg
