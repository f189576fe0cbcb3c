#!/usr/bin/env bash
# The repository's own sample captures (captures/, recorded by tests/captures/record.sh): for
# each, hstrace -r gives exactly the golden text and JSON, the JSON validates against the
# schema, and tshark decodes the same TLS messages (frame, direction, type; hello versions,
# suites, SNI, ALPN; alerts) from the same file with the same keys.
# HS_CAPTURES_DIR checks another directory (e.g. a fresh record.sh run).
. "$(dirname "$0")/../lib.sh"
. "$PWD/tests/captures/common.sh"
DIR=${HS_CAPTURES_DIR:-$PWD/captures}
mapfile -t CAPS < <(capture_list "$DIR")
if [ ${#CAPS[@]} -eq 0 ]; then skip "sample captures" "none in $DIR"; exit 0; fi

OUTDIR=$WORK/goldens
mkdir -p "$OUTDIR"
render_goldens "$HSTRACE" "$DIR" "$OUTDIR"

# same_as_golden LABEL FILE: ok when $OUTDIR/FILE equals $DIR/FILE; else the diff's first lines.
same_as_golden() {
    local d
    if [ ! -f "$DIR/$2" ]; then
        notok "$1" "no golden $2 (tests/captures/record.sh --goldens-only writes it)"
    elif d=$(diff -u "$DIR/$2" "$OUTDIR/$2"); then
        ok "$1"
    else
        mapfile -t lines < <(head -20 <<<"$d")
        notok "$1" "${lines[@]}"
    fi
}

have_tshark=1
command -v tshark >/dev/null || have_tshark=0
for cap in "${CAPS[@]}"; do
    name=${cap%.*}
    same_as_golden "golden text: $name" "$name.txt"
    same_as_golden "golden JSON: $name" "$name.json"
    [ "$cap" = "$NOKEYS_CAPTURE" ] && same_as_golden "golden text without keys: $name" "$name.nokeys.txt"
    if python3 "$VALIDATE" "$SCHEMA" "$OUTDIR/$name.json" >"$WORK/$name.schema" 2>&1; then
        ok "schema: $name"
    else
        notok "schema: $name" "$(head -c 600 "$WORK/$name.schema")"
    fi
    if [ "$have_tshark" = 0 ]; then
        skip "tshark oracle: $name" "tshark not installed"
        continue
    fi
    mapfile -t keys < <(cd "$DIR" && capture_key_args "$cap")
    keyfile=()
    [ ${#keys[@]} -eq 2 ] && keyfile=("$DIR/${keys[1]}")
    if res=$(python3 tests/captures/tshark_oracle.py "$DIR/$cap" "$OUTDIR/$name.json" "${keyfile[@]}" 2>&1); then
        ok "tshark oracle: $name ($res)"
    else
        mapfile -t lines <<<"$res"
        notok "tshark oracle: $name" "${lines[@]}"
    fi
done

# Every capture has its line in the README, and the folder stays small.
if [ -z "${HS_CAPTURES_DIR:-}" ]; then
    missing=()
    for cap in "${CAPS[@]}"; do grep -qF "\`$cap\`" "$DIR/README.md" || missing+=("$cap"); done
    if [ ${#missing[@]} -eq 0 ]; then ok "README describes every capture"; else
        notok "README describes every capture" "missing: ${missing[*]}"; fi
    # The packets and key logs a classroom copies stay small; the goldens beside them grow
    # with what the decoder says about each message.
    size=$(cat "$DIR"/*.pcap* "$DIR"/*.keys 2>/dev/null | wc -c)
    size=$((size / 1024))
    if [ "$size" -le 512 ]; then ok "captures/ packets and key logs are small (${size} KB)"; else
        notok "captures/ packets and key logs are small" "${size} KB"; fi
    size=$(du -sk "$DIR" | cut -f1)
    if [ "$size" -le 2048 ]; then ok "captures/ with its goldens stays under 2 MB (${size} KB)"; else
        notok "captures/ with its goldens stays under 2 MB" "${size} KB"; fi
fi
