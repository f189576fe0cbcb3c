# shellcheck shell=bash
# Shared by tests/captures/record.sh and tests/integration/captures.sh: how a sample capture is
# read back, so the goldens and the test that compares them use the same command line.
#   NAME.pcap   -> read with --keylog NAME.keys (the key log path)
#   NAME.pcapng -> read with no key option (the secrets embedded in the file's DSB)

# Nothing from the machine may leak into a golden: no key log from the environment, no colour,
# the same locale and time zone everywhere.
unset SSLKEYLOGFILE NO_COLOR COLUMNS
export TZ=UTC LC_ALL=C.UTF-8

# capture_key_args FILE: prints the key option(s) for FILE, one word a line.
capture_key_args() {
    case $1 in
    *.pcap) [ -f "${1%.pcap}.keys" ] && printf '%s\n' --keylog "${1%.pcap}.keys" ;;
    esac
    return 0
}

# The captures of DIR, one file name a line (no directory), sorted.
capture_list() {
    local f
    for f in "$1"/*.pcap "$1"/*.pcapng; do [ -f "$f" ] && printf '%s\n' "${f##*/}"; done | LC_ALL=C sort
}

# Which capture also gets a golden read without keys (NAME.nokeys.txt).
NOKEYS_CAPTURE=tls13-aes128gcm.pcap

# render_goldens HSTRACE DIR OUTDIR: writes NAME.txt and NAME.json (and the no-keys text) for
# every capture of DIR into OUTDIR.  Runs inside DIR with relative names, so no absolute path
# reaches the outputs.  The exit status of hstrace is not part of a golden (the failed
# handshakes exit non-zero on purpose).
render_goldens() {
    local hs=$1 dir=$2 out=$3 cap name keys caps
    out=$(cd "$out" && pwd) || return 1
    mapfile -t caps < <(capture_list "$dir")
    for cap in "${caps[@]}"; do
        name=${cap%.*}
        mapfile -t keys < <(cd "$dir" && capture_key_args "$cap")
        (cd "$dir" && "$hs" -r "$cap" "${keys[@]}" --plain --color never) >"$out/$name.txt" 2>/dev/null
        (cd "$dir" && "$hs" -r "$cap" "${keys[@]}" --json) >"$out/$name.json" 2>/dev/null
        if [ "$cap" = "$NOKEYS_CAPTURE" ]; then
            (cd "$dir" && "$hs" -r "$cap" --plain --color never) >"$out/$name.nokeys.txt" 2>/dev/null
        fi
    done
    return 0
}
