/* Command-line parsing into struct hs_options. */
#include "options.h"

#include "compare.h"
#include "many.h"
#include "slides.h"
#include "usage.h"

#include "../core/escape.h"
#include "../live/scenario.h"
#include "../live/starttls.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_SNI = 256, OPT_NO_SNI, OPT_ALPN, OPT_TLS12, OPT_TLS13, OPT_CIPHERS, OPT_GROUPS,
    OPT_CAFILE, OPT_CAPATH, OPT_TIMEOUT, OPT_JSON, OPT_PLAIN, OPT_COLOR, OPT_ASCII, OPT_EXPLAIN,
    OPT_KEYS, OPT_KEYLOG, OPT_DEBUG, OPT_DEMO, OPT_CONN, OPT_FILTER, OPT_FORCE, OPT_CERT,
    OPT_KEY, OPT_PASS, OPT_SVG, OPT_MERMAID, OPT_MARKDOWN, OPT_STEP, OPT_NOTES, OPT_COMPARE,
    OPT_JOBS, OPT_LADDERS,
    OPT_RECONNECT, OPT_EARLY_DATA, OPT_HTTP,
    OPT_PROBE,
    OPT_STARTTLS,
};

static const struct option long_opts[] = {
    {"sni", required_argument, NULL, OPT_SNI},
    {"no-sni", no_argument, NULL, OPT_NO_SNI},
    {"alpn", required_argument, NULL, OPT_ALPN},
    {"tls1.2", no_argument, NULL, OPT_TLS12},
    {"tls1.3", no_argument, NULL, OPT_TLS13},
    {"ciphers", required_argument, NULL, OPT_CIPHERS},
    {"groups", required_argument, NULL, OPT_GROUPS},
    {"cafile", required_argument, NULL, OPT_CAFILE},
    {"capath", required_argument, NULL, OPT_CAPATH},
    {"insecure", no_argument, NULL, 'k'},
    {"cert", required_argument, NULL, OPT_CERT},
    {"key", required_argument, NULL, OPT_KEY},
    {"pass", required_argument, NULL, OPT_PASS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"json", no_argument, NULL, OPT_JSON},
    {"plain", no_argument, NULL, OPT_PLAIN},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"ascii", no_argument, NULL, OPT_ASCII},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"keys", no_argument, NULL, OPT_KEYS},
    {"step", no_argument, NULL, OPT_STEP},
    {"keylog", required_argument, NULL, OPT_KEYLOG},
    {"debug", required_argument, NULL, OPT_DEBUG},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"write", required_argument, NULL, 'w'},
    {"read", required_argument, NULL, 'r'},
    {"conn", required_argument, NULL, OPT_CONN},
    {"filter", required_argument, NULL, OPT_FILTER},
    {"user", required_argument, NULL, 'Z'},
    {"force", no_argument, NULL, OPT_FORCE},
    {"svg", required_argument, NULL, OPT_SVG},
    {"mermaid", required_argument, NULL, OPT_MERMAID},
    {"markdown", required_argument, NULL, OPT_MARKDOWN},
    {"notes", required_argument, NULL, OPT_NOTES},
    {"compare", required_argument, NULL, OPT_COMPARE},
    {"file", required_argument, NULL, 'f'},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"ladders", no_argument, NULL, OPT_LADDERS},
    {"reconnect", no_argument, NULL, OPT_RECONNECT},
    {"early-data", no_argument, NULL, OPT_EARLY_DATA},
    {"http", optional_argument, NULL, OPT_HTTP},
    {"probe", no_argument, NULL, OPT_PROBE},
    {"starttls", required_argument, NULL, OPT_STARTTLS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int usage_error(struct hs_options *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Says what is wrong on stderr and keeps it in o->error (the --json document's message). */
static int usage_error(struct hs_options *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->error, sizeof o->error, fmt, ap);
    va_end(ap);
    fprintf(stderr, "hstrace: %s\ntry 'hstrace --help'\n", o->error);
    return 2;
}

/* A whole number in [lo, hi], or -1. */
static long parse_long(const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    return v;
}

#define HTTP_PATH_MAX 2048

/* --http[=PATH], or --http PATH when the next word starts with '/' (a target never does). */
static int take_http(struct hs_options *o, char **argv)
{
    const char *path = optarg;
    if (path == NULL && argv[optind] && argv[optind][0] == '/')
        path = argv[optind++];
    if (path == NULL)
        path = "/";
    size_t n = strlen(path);
    bool ok = path[0] == '/' && n <= HTTP_PATH_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)path[i] > 0x20 && (unsigned char)path[i] != 0x7f;
    if (!ok) {
        char *esc = hs_escape_str(path);
        int r = usage_error(o, "bad --http path '%.64s' (it starts with '/', at most %d bytes, "
                            "no spaces or control characters)", esc, HTTP_PATH_MAX);
        free(esc);
        return r;
    }
    o->live.http_path = path;
    return 0;
}

/* One option from getopt_long: 0, 2 (usage error, said) or -1 (-h/-V printed). */
static int take(struct hs_options *o, int c, char **argv)
{
    switch (c) {
    case 'p': {
        long v = parse_long(optarg, 1, 65535);
        if (v < 0)
            return usage_error(o, "bad port '%s' (1-65535)", optarg);
        o->live.port = (unsigned)v;
        break;
    }
    case '4': o->live.family = 4; break;
    case '6': o->live.family = 6; break;
    case 'k': o->live.insecure = true; break;
    case OPT_SNI:
        if (*optarg == '\0')
            return usage_error(o, "%s", "--sni needs a name (use --no-sni to send none)");
        if (strlen(optarg) > HS_SNI_MAX)
            return usage_error(o, "--sni NAME is at most %d bytes (got %zu)", HS_SNI_MAX,
                               strlen(optarg));
        o->live.sni = optarg;
        break;
    case OPT_NO_SNI: o->live.no_sni = true; break;
    case OPT_ALPN: o->live.alpn = optarg; break;
    case OPT_TLS12: o->live.only_tls12 = true; break;
    case OPT_TLS13: o->live.only_tls13 = true; break;
    case OPT_CIPHERS: o->live.ciphers = optarg; break;
    case OPT_GROUPS: o->live.groups = optarg; break;
    case OPT_CAFILE: o->live.cafile = optarg; break;
    case OPT_CAPATH: o->live.capath = optarg; break;
    case OPT_SVG: o->svg = optarg; break;
    case OPT_MERMAID: o->mermaid = optarg; break;
    case OPT_MARKDOWN: o->markdown = optarg; break;
    case OPT_CERT: o->live.certfile = optarg; break;
    case OPT_KEY: o->live.keyfile = optarg; break;
    case OPT_PASS:
        if ((strncmp(optarg, "env:", 4) != 0 || optarg[4] == '\0') &&
            (strncmp(optarg, "file:", 5) != 0 || optarg[5] == '\0'))
            return usage_error(o, "%s", "--pass takes env:VAR or file:PATH (the passphrase "
                               "itself never goes on the command line)");
        o->live.pass = optarg;
        break;
    case OPT_TIMEOUT: {
        char *end;
        errno = 0;
        double v = strtod(optarg, &end);
        if (errno || end == optarg || *end != '\0' || !(v > 0) || v > 86400)
            return usage_error(o, "bad timeout '%s' (seconds, > 0)", optarg);
        o->live.timeout_s = v;
        break;
    }
    case OPT_JSON: o->json = true; break;
    case OPT_PLAIN: o->plain = true; break;
    case OPT_COLOR:
        if (strcmp(optarg, "auto") == 0)
            o->color = HS_COLOR_AUTO;
        else if (strcmp(optarg, "always") == 0)
            o->color = HS_COLOR_ALWAYS;
        else if (strcmp(optarg, "never") == 0)
            o->color = HS_COLOR_NEVER;
        else
            return usage_error(o, "bad --color '%s' (auto, always or never)", optarg);
        break;
    case OPT_ASCII: o->ascii = true; break;
    case OPT_EXPLAIN: o->explain = true; break;
    case OPT_KEYS:
        o->keys = true;
        o->live.key_schedule = true;
        break;
    case OPT_STEP: o->step = true; break;
    case OPT_NOTES:
        if (!hs_notes_parse(optarg, &o->notes))
            return usage_error(o, "bad --notes '%s' (none, short or all)", optarg);
        break;
    case OPT_COMPARE: o->compare = true, o->live.target = optarg; break;
    case OPT_PROBE: o->live.probe = true; break;
    case OPT_KEYLOG: o->live.keylog = optarg; break;
    case OPT_RECONNECT: o->live.reconnect = true; break;
    case OPT_EARLY_DATA:
        return usage_error(o, "--early-data is not available: %s", hs_early_data_unavailable());
    case OPT_HTTP: return take_http(o, argv);
    case OPT_STARTTLS:
        if (hs_starttls_port(optarg) == 0) {
            char names[128];
            hs_starttls_names(names, sizeof names);
            char *esc = hs_escape_str(optarg);
            int r = usage_error(o, "bad --starttls '%.64s' (one of: %s)", esc, names);
            free(esc);
            return r;
        }
        o->live.starttls = optarg;
        break;
    case OPT_DEBUG: {
        long v = parse_long(optarg, 0, 4);
        if (v < 0)
            return usage_error(o, "bad --debug level '%s' (0-4)", optarg);
        o->live.debug = (int)v;
        break;
    }
    case OPT_DEMO: o->demo = true; break;
    case 'w': o->live.write_path = optarg; break;
    case 'r': o->read_path = optarg; break;
    case OPT_CONN: {
        long v = parse_long(optarg, 1, 1000000000L);
        if (v < 0)
            return usage_error(o, "bad --conn '%s' (a connection number, from 1)", optarg);
        o->conn = v;
        break;
    }
    case OPT_FILTER:
        if (*optarg == '\0')
            return usage_error(o, "%s", "--filter needs HOST[:PORT]");
        o->filter = optarg;
        break;
    case 'Z':
        if (*optarg == '\0')
            return usage_error(o, "%s", "-Z needs a user name");
        o->live.user = optarg;
        break;
    case OPT_FORCE: o->live.force = true; break;
    case 'f': o->targets_file = optarg; break;
    case OPT_JOBS: {
        long v = parse_long(optarg, 1, HS_JOBS_MAX);
        if (v < 0)
            return usage_error(o, "bad --jobs '%s' (1-%d)", optarg, HS_JOBS_MAX);
        o->jobs = v;
        break;
    }
    case OPT_LADDERS: o->ladders = true; break;
    case 'h': o->help = true; return -1;
    case 'V': o->version = true; return -1;
    default: { /* ':' (a value is missing) or an unknown option */
        char opt[64];
        if (optopt)
            snprintf(opt, sizeof opt, "-%c", optopt);
        else
            snprintf(opt, sizeof opt, "%s", argv[optind - 1]);
        return usage_error(o, c == ':' ? "option %s needs a value" : "unknown option %s", opt);
    }
    }
    return 0;
}

/* --demo NAME: a scenario of the table, or "list". */
static int take_scenario(struct hs_options *o, const char *name)
{
    if (strcmp(name, "list") == 0) {
        o->demo_list = true;
        return 0;
    }
    const struct hs_demo_scenario *sc = hs_demo_find(name);
    if (sc == NULL) {
        char names[512];
        hs_demo_names(names, sizeof names);
        char *esc = hs_escape_str(name); /* what the user typed, on a terminal */
        int r = usage_error(o, "unknown demo scenario '%.64s' (one of: %s; or list)", esc, names);
        free(esc);
        return r;
    }
    if (sc->unavailable)
        return usage_error(o, "demo scenario %s is unavailable: %s", sc->name, sc->unavailable);
    if (sc->connections > 1 && o->live.write_path)
        return usage_error(o, "-w saves one connection: not with --demo %s (%u connections)",
                           sc->name, sc->connections);
    o->live.scenario = sc->name;
    return 0;
}

/* --reconnect and --http trace live connections: what they do not go with, or NULL. */
static const char *reconnect_conflict(const struct hs_options *o)
{
    if (o->read_path && (o->live.reconnect || o->live.http_path))
        return "--reconnect and --http open live connections: not with -r";
    if (o->compare && o->live.reconnect)
        return "--compare and --reconnect exclude each other";
    if (o->live.reconnect && o->live.write_path)
        return "-w saves one connection: not with --reconnect (two connections)";
    if (o->live.reconnect && o->step)
        return "--step follows one handshake: not with --reconnect";
    if (o->live.reconnect && hs_cli_slides_any(o))
        return "--reconnect draws no slides (--svg, --mermaid, --markdown)";
    return NULL;
}

/* --probe builds its own TLS 1.3 ClientHello for one target: what it does not go with. */
static const char *probe_conflict(const struct hs_options *o)
{
    if (!o->live.probe)
        return NULL;
    if (o->demo || o->read_path || o->compare)
        return "--probe takes a target: not with --demo, -r or --compare";
    if (o->live.only_tls12)
        return "--probe offers TLS 1.3 (and 1.2): not with --tls1.2";
    if (o->live.certfile || o->step || o->keys)
        return "--probe completes no handshake: not with --cert, --step or --keys";
    if (o->live.reconnect || o->live.http_path)
        return "--probe completes no handshake: not with --reconnect or --http";
    if (o->live.starttls)
        return "--probe speaks TLS at once: not with --starttls";
    return NULL;
}

int hs_options_parse(struct hs_options *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->live.timeout_s = 10;
    o->color = HS_COLOR_AUTO;
    const char *env_keylog = getenv("SSLKEYLOGFILE");
    if (env_keylog && *env_keylog)
        o->live.keylog = env_keylog;

    optind = 1;
    opterr = 0;
    int c, err = 0;
    while ((c = getopt_long(argc, argv, ":p:46khVw:r:Z:f:", long_opts, NULL)) != -1) {
        /* After the first error only --json still matters: the error is then a document. */
        if (err) {
            o->json = o->json || c == OPT_JSON;
            continue;
        }
        err = take(o, c, argv);
        if (err < 0)
            return -1;
    }
    if (err)
        return err;
    if (o->live.only_tls12 && o->live.only_tls13)
        return usage_error(o, "%s", "--tls1.2 and --tls1.3 exclude each other");
    if (o->live.sni && o->live.no_sni)
        return usage_error(o, "%s", "--sni and --no-sni exclude each other");
    if ((o->live.certfile == NULL) != (o->live.keyfile == NULL))
        return usage_error(o, "%s", "--cert and --key go together");
    if (o->live.pass && o->live.keyfile == NULL)
        return usage_error(o, "%s", "--pass is the passphrase of --key");
    if (o->json && o->plain)
        return usage_error(o, "%s", "--json and --plain exclude each other");
    const char *slides = hs_cli_slides_conflict(o);
    if (slides)
        return usage_error(o, "%s", slides);
    if (o->live.http_path && o->live.alpn == NULL)
        o->live.alpn = "http/1.1"; /* --http speaks HTTP/1.1: h2 is not offered unless asked */
    const char *probe = probe_conflict(o);
    if (probe)
        return usage_error(o, "%s", probe);
    int rest = argc - optind;
    if (o->demo && rest > 0 && hs_cli_compare_claims(o, argv[optind]))
        rest--, optind++;
    const char *again = reconnect_conflict(o);
    if (again)
        return usage_error(o, "%s", again);
    const char *compare = hs_cli_compare_conflict(o, rest);
    if (compare)
        return usage_error(o, "%s", compare);
    /* Several targets (cli/many.h); extra words after --demo or -r keep their own error. */
    if ((rest > 1 && !o->demo && !o->read_path) || o->targets_file) {
        o->targets = argv + optind;
        o->ntargets = rest;
        const char *many = hs_cli_many_conflict(o);
        return many ? usage_error(o, "%s", many) : 0;
    }
    if (o->compare)
        return 0;
    if (o->live.starttls && (o->demo || o->read_path))
        return usage_error(o, "%s", "--starttls talks to a TARGET: not with --demo or -r");
    if (o->read_path) {
        if (o->demo || o->live.write_path)
            return usage_error(o, "%s", "-r reads a capture: it goes with neither --demo nor -w");
        if (rest > 0)
            return usage_error(o, "-r takes no target (got '%s')", argv[optind]);
        return 0;
    }
    if (o->conn || o->filter)
        return usage_error(o, "%s", "--conn and --filter pick connections of a capture (-r FILE)");
    if (o->demo) {
        if (rest > 1)
            return usage_error(o, "--demo takes one scenario (extra '%s')", argv[optind + 1]);
        return rest == 1 ? take_scenario(o, argv[optind]) : 0;
    } else {
        if (rest == 0)
            return usage_error(o, "%s", "no target given (HOST[:PORT]); or use --demo");
        if (rest > 1)
            return usage_error(o, "one target only (extra '%s')", argv[optind + 1]);
        o->live.target = argv[optind];
    }
    return 0;
}
