/* --probe: the probe's findings as one line for the text ladder. */
#include "probeline.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The strings or numbers of an array field, joined by ", ". */
static void put_joined(FILE *m, const struct hs_field *arr)
{
    for (const struct hs_field *f = arr ? arr->child : NULL; f; f = f->next) {
        if (f != arr->child)
            fputs(", ", m);
        if (f->kind == HS_F_INT)
            fprintf(m, "%lld", f->num);
        else if (f->kind == HS_F_STRING)
            fputs(f->str, m);
    }
}

static long long int_of(const struct hs_field *p, const char *name)
{
    long long v = 0;
    return hs_f_get_int(p, name, &v) ? v : 0;
}

static bool true_of(const struct hs_field *p, const char *name)
{
    const struct hs_field *f = hs_f_get(p, name);
    return f && f->kind == HS_F_BOOL && f->num;
}

/* How the flight's reading ended, in words. */
static const char *end_words(const char *end)
{
    if (strcmp(end, "pause") == 0)
        return "a pause";
    if (strcmp(end, "closed") == 0)
        return "the server's close";
    if (strcmp(end, "time") == 0)
        return "the time bound";
    if (strcmp(end, "limit") == 0)
        return "the size bound";
    return end;
}

/* What the GREASE ECH drew, in words. */
static const char *ech_words(const char *ech)
{
    if (strcmp(ech, "retry_configs") == 0)
        return "retry_configs in EncryptedExtensions (the server implements ECH)";
    if (strcmp(ech, "none") == 0)
        return "not answered (no ECH on this server)";
    if (strcmp(ech, "hrr_extension") == 0)
        return "an encrypted_client_hello extension in the HelloRetryRequest";
    return "unknown (the EncryptedExtensions could not be decrypted)";
}

char *hs_view_probe_line(const struct hs_trace *t)
{
    const struct hs_field *p = t->probe;
    if (p == NULL)
        return NULL;
    char *s = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&s, &n);
    if (m == NULL)
        return NULL;
    const char *group = hs_f_get_str(p, "selected_group");
    if (group)
        fprintf(m, "probe: %s chosen (%s; offered ", group,
                true_of(p, "pq") ? "post-quantum" : "not post-quantum");
    else
        fputs("probe: no group chosen (offered ", m);
    put_joined(m, hs_f_get(p, "offered_groups"));
    fputc(')', m);
    if (true_of(p, "hrr")) {
        const char *asked = hs_f_get_str(p, "hrr_group");
        fprintf(m, " · HelloRetryRequest for %s, %s", asked ? asked : "no group",
                true_of(p, "hrr_answered") ? "answered" : "not answered");
    }
    if (group) {
        fprintf(m, " · then %lld records (", int_of(p, "records"));
        put_joined(m, hs_f_get(p, "record_sizes"));
        fprintf(m, "), %lld bytes in all", int_of(p, "server_flight_bytes"));
        const char *end = hs_f_get_str(p, "flight_end");
        if (end)
            fprintf(m, ", ended by %s", end_words(end));
    }
    if (true_of(p, "decrypted"))
        fputs(" · flight decrypted with the probe's own key", m);
    const char *ech = hs_f_get_str(p, "ech");
    if (ech)
        fprintf(m, " · GREASE ECH: %s", ech_words(ech));
    if (fclose(m) != 0) {
        free(s);
        return NULL;
    }
    return s;
}
