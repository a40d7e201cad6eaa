// One event's erasure: its erasable fields as they become when keys'
// values (eventlog_erase) or an actor (eventlog_erase_actor) are erased.
//
// JSON (changes, values_json, context) is edited as text (core/json_erase):
// the value of every erased key, at any depth, becomes "[erased]"; for an
// actor, every string equal to its name or id becomes its pseudonym. The
// message is rendered again from the event's template: the message is read
// back along the template (core/template_match), each placeholder's text is
// kept, except where the value it rendered was erased. Placeholders whose
// value the event still holds (values_json; a tracked change's columns in
// changes, its actor...) must read as they rendered; the others (a tracked
// update's unchanged columns) match any text, and are "[erased]" when their
// path names an erased key. A message that cannot be read back that way
// becomes "[erased]" as a whole if it may hold an erased value.
// The interface is PostgreSQL-style (plain pointers); the implementation is
// rich C++ (erasure.cpp) and reports failures as exceptions.
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// What one erasure removes.
struct ErasureRequest {
    const char* const* keys;  // the keys whose values are erased...
    int nkeys;
    bool actor_mode;               // ...or an actor:
    const char* actor;             // its name (may be NULL)
    const char* const* actor_ids;  // and its ids
    int nactor_ids;
    const char* pseudonym;  // what they all become
};

/// One event's fields as text (NULL: SQL NULL; JSON as its text form).
struct EventText {
    const char* actor;
    const char* actor_id;
    const char* message;
    const char* template_message;
    const char* tool;
    const char* action;
    const char* object_type;
    const char* object_id;
    const char* changes;
    const char* values_json;
    const char* context;
};

/// Fills *after with the event's fields once erased (the erasable ones
/// palloc'd in the current memory context, the others as in *before) and
/// returns whether any of them changed.
bool erase_event(const ErasureRequest* request, const EventText* before, EventText* after);

}  // namespace eventlog::pg
