// Writing and reading the binary records WAL capture passes around inside
// one server (a logical decoding message's payload, the decoder's output):
// fixed-size values as they are in memory, and length-prefixed byte strings
// (-1: NULL). PostgreSQL-style code (no C++ objects).
#pragma once

#include <cstring>

#include "pg/postgres.hpp"

namespace eventlog::pg {

template <class T>
inline void put_value(StringInfo out, const T& value) {
    appendBinaryStringInfo(out, reinterpret_cast<const char*>(&value), sizeof(T));
}

inline void put_bytes(StringInfo out, const void* data, int32 size) {
    put_value(out, size);
    if (size > 0) appendBinaryStringInfo(out, static_cast<const char*>(data), size);
}

inline void put_string(StringInfo out, const char* s) {
    put_bytes(out, s, s == nullptr ? -1 : static_cast<int32>(std::strlen(s)));
}

/// A varlena (text, jsonb), its data without the header; NULL allowed. It
/// must be in memory, not compressed (as values the extension built are).
inline void put_varlena(StringInfo out, const void* datum) {
    if (datum == nullptr) {
        put_bytes(out, nullptr, -1);
        return;
    }
    const varlena* v = static_cast<const varlena*>(datum);
    if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v)) elog(ERROR, "eventlog: a value to pass on is toasted");
    put_bytes(out, VARDATA_ANY(v), static_cast<int32>(VARSIZE_ANY_EXHDR(v)));
}

/// A reader over a record; every get returns false past its end.
struct RecordReader {
    const char* data;
    Size size;
    Size at;
};

template <class T>
inline bool get_value(RecordReader* r, T* out) {
    if (r->size - r->at < sizeof(T)) return false;
    std::memcpy(out, r->data + r->at, sizeof(T));
    r->at += sizeof(T);
    return true;
}

/// A length-prefixed value, copied (palloc, NUL-terminated); NULL for -1.
inline bool get_bytes(RecordReader* r, char** out, int32* length) {
    int32 size;
    if (!get_value(r, &size)) return false;
    *length = size;
    *out = nullptr;
    if (size == -1) return true;
    if (size < 0 || r->size - r->at < static_cast<Size>(size)) return false;
    char* copy = static_cast<char*>(palloc(size + 1));
    std::memcpy(copy, r->data + r->at, size);
    copy[size] = '\0';
    r->at += size;
    *out = copy;
    return true;
}

inline bool get_string(RecordReader* r, const char** out) {
    char* s;
    int32 length;
    if (!get_bytes(r, &s, &length)) return false;
    *out = s;
    return true;
}

/// A varlena written by put_varlena, with a header of its own (palloc).
inline bool get_varlena(RecordReader* r, void** out) {
    int32 size;
    if (!get_value(r, &size)) return false;
    *out = nullptr;
    if (size == -1) return true;
    if (size < 0 || r->size - r->at < static_cast<Size>(size)) return false;
    varlena* v = static_cast<varlena*>(palloc(VARHDRSZ + size));
    SET_VARSIZE(v, VARHDRSZ + size);
    std::memcpy(VARDATA(v), r->data + r->at, size);
    r->at += size;
    *out = v;
    return true;
}

}  // namespace eventlog::pg
