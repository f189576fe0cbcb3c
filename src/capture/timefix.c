/* Time anomalies in captures: see timefix.h. */
#include "timefix.h"

bool hs_time_fix(struct hs_time_fix *tf, const struct hs_flow *f, struct hs_tcp_seg *seg)
{
    double last = f->last_ts;
    if (seg->ts < last) {
        if (seg->ts < last - HS_TIME_SLACK_S)
            tf->back++;
        seg->ts = last;
        return true;
    }
    if (seg->ts - last <= HS_TIME_JUMP_S)
        return true;
    if (!hs_flow_continues(f, seg))
        return false;
    tf->jump++;
    seg->ts = last;
    return true;
}

void hs_time_fix_note(const struct hs_time_fix *tf, struct hs_trace *t, double t_ms)
{
    if (tf->back == 0 && tf->jump == 0)
        return;
    struct hs_event *ev = hs_event_new(HS_CLIENT, HS_LAYER_LIBRARY, "note", t_ms);
    ev->problem = true;
    hs_f_int(ev->fields, "stamped_before_previous", (long long)tf->back);
    hs_f_int(ev->fields, "stamped_far_after_previous", (long long)tf->jump);
    hs_event_summary(ev, "capture time anomalies: %llu packet%s stamped before the previous one "
                     "of this connection, %llu more than %.0f s after it; each was given the "
                     "previous packet's time", (unsigned long long)tf->back,
                     tf->back == 1 ? "" : "s", (unsigned long long)tf->jump, HS_TIME_JUMP_S);
    hs_trace_add(t, ev);
}
