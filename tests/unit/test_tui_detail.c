/* The interactive view's field tree: fold state and selection, and how they follow the same
 * message into a new copy of the trace (the live run's final trace replaces the view's copy
 * while the user may be reading a message). No terminal is needed: nothing is drawn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/field.h"
#include "core/trace.h"
#include "tui/internal.h"

#include <string.h>

/* A Certificate message: certificates [2] of {subject, issuer, san [1]}. */
static struct hs_event *certificate_event(void)
{
    struct hs_event *ev = hs_event_new(HS_SERVER, HS_LAYER_TLS, "Certificate", 1.0);
    hs_f_int(ev->fields, "length", 900);
    struct hs_field *chain = hs_f_arr(ev->fields, "certificates");
    for (int i = 0; i < 2; i++) {
        struct hs_field *c = hs_f_obj(chain, NULL);
        hs_f_str(c, "subject", i ? "CN=root" : "CN=leaf");
        hs_f_str(c, "issuer", "CN=root");
        hs_f_str(hs_f_arr(c, "san"), NULL, "DNS:leaf.test");
    }
    return ev;
}

static bool in_tree(const struct hs_field *root, const struct hs_field *f)
{
    for (const struct hs_field *c = root->child; c; c = c->next)
        if (c == f || in_tree(c, f))
            return true;
    return false;
}

static const char *selected_name(const struct tui_detail *d)
{
    const struct hs_field *f = d->rows[d->sel].f;
    return f->name ? f->name : "(element)";
}

/* Unfolds certificates and [0] with Enter and selects subject, as a user would. */
static void open_leaf_subject(struct tui_detail *d)
{
    bool leave;
    assert_int_equal(d->nrows, 2); /* length, certificates ▸ */
    assert_true(tui_detail_tree_key(d, 'j', &leave));
    assert_true(tui_detail_tree_key(d, '\n', &leave));
    assert_true(tui_detail_tree_key(d, 'j', &leave));
    assert_true(tui_detail_tree_key(d, '\n', &leave));
    assert_true(tui_detail_tree_key(d, 'j', &leave));
    assert_string_equal(selected_name(d), "subject");
    assert_string_equal(d->rows[d->sel].f->str, "CN=leaf");
}

static void test_move_keeps_folds_and_field(void **state)
{
    struct hs_event *copy = certificate_event(), *final = hs_event_clone(copy);
    struct tui_detail d = {0};
    tui_detail_set(&d, copy);
    open_leaf_subject(&d);
    size_t rows = d.nrows;

    tui_detail_move(&d, final);
    hs_event_free(copy); /* nothing may point into the old copy now */
    assert_ptr_equal(d.ev, final);
    assert_int_equal(d.nrows, rows);
    for (size_t i = 0; i < d.nrows; i++)
        assert_true(in_tree(final->fields, d.rows[i].f));
    assert_string_equal(selected_name(&d), "subject");
    assert_string_equal(d.rows[d.sel].f->str, "CN=leaf");
    tui_detail_free(&d);
    hs_event_free(final);
}

static void test_move_to_another_message_resets(void **state)
{
    struct hs_event *copy = certificate_event();
    struct hs_event *other = hs_event_new(HS_SERVER, HS_LAYER_TLS, "ServerHelloDone", 2.0);
    hs_f_int(other->fields, "length", 4);
    struct tui_detail d = {0};
    tui_detail_set(&d, copy);
    open_leaf_subject(&d);
    tui_detail_move(&d, other);
    hs_event_free(copy);
    assert_ptr_equal(d.ev, other);
    assert_int_equal(d.nopen, 0);
    assert_int_equal(d.nrows, 1);
    assert_int_equal(d.sel, 0);
    tui_detail_free(&d);
    hs_event_free(other);
}

/* The new copy has fewer certificates: folds with no counterpart are dropped, not kept. */
static void test_move_drops_missing_places(void **state)
{
    struct hs_event *copy = certificate_event();
    struct hs_event *final = hs_event_new(HS_SERVER, HS_LAYER_TLS, "Certificate", 1.0);
    hs_f_int(final->fields, "length", 900);
    hs_f_arr(final->fields, "certificates"); /* empty */
    struct tui_detail d = {0};
    tui_detail_set(&d, copy);
    open_leaf_subject(&d);
    tui_detail_move(&d, final);
    hs_event_free(copy);
    assert_int_equal(d.nopen, 1); /* certificates only */
    assert_int_equal(d.nrows, 2);
    assert_true(d.sel < d.nrows);
    tui_detail_free(&d);
    hs_event_free(final);
}

static void test_field_explanation(void **state)
{
    (void)state;
    struct hs_event *ev = certificate_event();
    struct tui_detail d = {0};
    tui_detail_set(&d, ev);
    const char *key;
    assert_null(tui_detail_field_explain(&d, &key)); /* "length": no entry */
    open_leaf_subject(&d);
    const char *s = tui_detail_field_explain(&d, &key);
    assert_string_equal(key, "subject");
    assert_non_null(s);
    assert_non_null(strstr(s, "(RFC 5280 \xc2\xa7" "4.1.2.6)"));
    /* An array element is explained by its array's name. */
    bool leave;
    assert_true(tui_detail_tree_key(&d, 'k', &leave));
    assert_non_null(tui_detail_field_explain(&d, &key));
    assert_string_equal(key, "certificates");
    tui_detail_free(&d);
    hs_event_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_move_keeps_folds_and_field),
        cmocka_unit_test(test_move_to_another_message_resets),
        cmocka_unit_test(test_move_drops_missing_places),
        cmocka_unit_test(test_field_explanation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
