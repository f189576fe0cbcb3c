/* The slide outputs of the command line (slides.h). */
#include "slides.h"

#include "../core/outfile.h"
#include "../view/slides.h"

#include <errno.h>
#include <string.h>

typedef int (*render_fn)(FILE *out, const struct hs_trace *t, const struct hs_slide_opts *o);

struct slide {
    const char *option, *path;
    render_fn render;
};

/* The three, in a fixed order; returns how many. */
static size_t slides(const struct hs_options *o, struct slide s[3])
{
    s[0] = (struct slide){"--svg", o->svg, hs_view_svg};
    s[1] = (struct slide){"--mermaid", o->mermaid, hs_view_mermaid};
    s[2] = (struct slide){"--markdown", o->markdown, hs_view_markdown};
    return 3;
}

static bool is_stdout(const char *path)
{
    return path && strcmp(path, "-") == 0;
}

bool hs_cli_slides_any(const struct hs_options *o)
{
    return o->svg || o->mermaid || o->markdown;
}

bool hs_cli_slides_stdout(const struct hs_options *o)
{
    return is_stdout(o->svg) || is_stdout(o->mermaid) || is_stdout(o->markdown);
}

const char *hs_cli_slides_conflict(const struct hs_options *o)
{
    struct slide s[3];
    size_t n = slides(o, s), to_stdout = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].path && s[i].path[0] == '\0')
            return "--svg, --mermaid and --markdown need a file name (or '-')";
        to_stdout += is_stdout(s[i].path);
        for (size_t j = 0; j < i; j++)
            if (s[i].path && s[j].path && !is_stdout(s[i].path) && strcmp(s[i].path, s[j].path) == 0)
                return "--svg, --mermaid and --markdown need a file each";
    }
    if (to_stdout > 1)
        return "only one of --svg, --mermaid and --markdown can go to standard output ('-')";
    if (to_stdout && o->json)
        return "--json goes to standard output: a slide there ('-') does not go with it";
    if (hs_cli_slides_any(o) && o->read_path && o->conn == 0)
        return "--svg, --mermaid and --markdown draw one connection: with -r, pick it with "
               "--conn N";
    return NULL;
}

int hs_cli_slides_write(const struct hs_options *o, const struct hs_trace *t, FILE *out)
{
    struct hs_slide_opts so = {.notes = o->live.debug > 0, .ascii = o->ascii};
    struct slide s[3];
    size_t n = slides(o, s);
    int code = 0;
    for (size_t i = 0; i < n; i++) {
        if (!s[i].path)
            continue;
        if (is_stdout(s[i].path)) {
            (void)s[i].render(out, t, &so); /* a write error is found with standard output's */
            continue;
        }
        char err[512];
        FILE *f = hs_outfile_fopen(s[i].path, o->live.force ? HS_OUT_REPLACE : HS_OUT_NEW, 0644,
                                   err, sizeof err);
        if (!f) {
            fprintf(stderr, "hstrace: %s: %s\n", s[i].option, err);
            code = HS_EXIT_WRITE;
            continue;
        }
        int failed = s[i].render(f, t, &so) != 0 ? (errno ? errno : EIO) : 0;
        if (hs_outfile_close(f, s[i].path, failed) != 0) {
            fprintf(stderr, "hstrace: cannot write %s: %s\n", s[i].path, strerror(errno));
            code = HS_EXIT_WRITE;
        }
    }
    return code;
}
