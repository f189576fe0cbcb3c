#!/usr/bin/env bash
# Slides (--svg, --mermaid, --markdown): from --demo, from a local openssl s_server whose
# certificate is not trusted (and whose name holds markup, controls and bidi characters), and
# from a sample capture with -r --conn.  Each slide must keep its syntax (tests/tools/
# check-slides: the SVG well-formed XML with only drawing elements, every Mermaid line one of
# the statements hstrace writes, one Markdown table row per message), have one row per
# message of the same run's JSON, and the SVG must render (rsvg-convert) at its size.  Then
# '-', the usage errors and the file rules (no overwrite, no symlink, --force).
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib.sh
. tests/lib.sh
CHECK=$PWD/tests/tools/check-slides
D=$WORK/slides
mkdir -p "$D"

# slides NAME HSTRACE-ARGS...: runs hstrace --json with the three slides into $D/NAME.*;
# sets RC, OUT (the JSON) and MSGS / NOTES (what the slides must hold, from the JSON).
slides() {
    local name=$1
    shift
    rm -f "$D/$name".*
    trace_json "$@" --svg "$D/$name.svg" --mermaid "$D/$name.mmd" --markdown "$D/$name.md"
    local ev='(.events // .connections[0].events)[]' # a live document, or a capture's
    MSGS=$(jq "[$ev | select(.layer != \"library\")] | length" "$OUT")
    NOTES=$(jq "[$ev | select(.layer == \"library\" and .problem)] | length" "$OUT")
}

# valid NAME WHAT: the three slides of NAME follow their syntax with the rows of the JSON.
valid() {
    local name=$1 what=$2 why=""
    why+=$("$CHECK" svg "$D/$name.svg" "$MSGS" 2>&1 | grep -v '^svg:')
    why+=$("$CHECK" mermaid "$D/$name.mmd" "$MSGS" 2>&1 | grep -v '^mermaid:')
    why+=$("$CHECK" markdown "$D/$name.md" $((MSGS + NOTES)) 2>&1 | grep -v '^markdown:')
    if [ -z "$why" ] && [ "$MSGS" -gt 3 ]; then
        ok "slides: $what: SVG, Mermaid and Markdown keep their syntax, one row per message ($MSGS)"
    else
        notok "slides: $what: SVG, Mermaid and Markdown keep their syntax, one row per message" \
            "rc=$RC messages=$MSGS" "$why" "$(head -c 300 "$OUT.err")"
    fi
}

# renders NAME WHAT: rsvg-convert makes a PNG of the SVG's size, not blank.
renders() {
    local name=$1 what=$2
    if ! command -v rsvg-convert >/dev/null; then
        skip "slides: $what: the SVG renders" "rsvg-convert is not installed (librsvg2-bin)"
        return
    fi
    rm -f "$D/$name.png"
    rsvg-convert -o "$D/$name.png" "$D/$name.svg" 2>"$D/$name.rsvg"
    local got want
    got=$(python3 -c 'import struct,sys
d=open(sys.argv[1],"rb").read(33)
print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8]==b"\x89PNG\r\n\x1a\n" else "not a PNG")' "$D/$name.png" 2>&1)
    want=1000x$(python3 -c 'import sys,xml.etree.ElementTree as E
print(E.parse(sys.argv[1]).getroot().get("height"))' "$D/$name.svg" 2>&1)
    if [ "$got" = "$want" ] && [ "$(stat -c %s "$D/$name.png")" -gt 10000 ]; then
        ok "slides: $what: the SVG renders to a $got PNG"
    else
        notok "slides: $what: the SVG renders to a PNG of its size" "got $got, want $want" \
            "$(head -c 300 "$D/$name.rsvg")"
    fi
}

# ---- --demo ----
slides demo --demo
check "slides: --demo with three slides runs and still prints its JSON" rc_is 0
valid demo "--demo"
renders demo "--demo"
if grep -q '<text [^>]*>ClientHello</text>' "$D/demo.svg" &&
   grep -q 'stroke-dasharray' "$D/demo.svg" &&
   grep -Eq '^    Server-->>Client: Certificate \([0-9.]+ ms\) \[decrypted\] ' "$D/demo.mmd" &&
   grep -Eq '^    Client->>Server: SYN \(' "$D/demo.mmd" &&
   grep -Eq '^\| [0-9.]+ \| Client . Server \| \*Finished\* \| \\\[decrypted\\\] ' "$D/demo.md"; then
    ok "slides: --demo: TCP rows drawn, encrypted rows dashed (SVG), -->> (Mermaid), marked (Markdown)"
else
    notok "slides: --demo: TCP rows drawn, encrypted rows dashed (SVG), -->> (Mermaid), marked (Markdown)" \
        "$(head -12 "$D/demo.mmd")" "$(grep -m3 Finished "$D/demo.md")"
fi
if ! grep -q 'Note left of' "$D/demo.mmd" && ! grep -q '| note |' "$D/demo.md"; then
    ok "slides: library notes are left out without --debug"
else
    notok "slides: library notes are left out without --debug" "$(grep -m3 -i note "$D/demo.mmd")"
fi
"$HSTRACE" --demo --debug 1 --mermaid - >"$D/debug.mmd" 2>/dev/null
if grep -q '^    Note left of Client: key exchange with ' "$D/debug.mmd" &&
   "$CHECK" mermaid "$D/debug.mmd" >/dev/null; then
    ok "slides: --debug adds the library notes (Mermaid: Note left of Client)"
else
    notok "slides: --debug adds the library notes (Mermaid: Note left of Client)" \
        "$("$CHECK" mermaid "$D/debug.mmd")" "$(head -8 "$D/debug.mmd")"
fi

# ---- a verification failure, with a certificate name full of markup and hidden characters
u() { printf "\\U$(printf %08x "0x$1")"; }
CN="</b><script>&amp;\"'|x|*_#59;;#$(u 202e)pay$(u 2060)pal$(u fffe)" # at most 64
mkdir -p "$WORK/pki"
(cd "$WORK/pki" && openssl req -x509 -utf8 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout k.pem -out c.pem -days 2 -subj "/CN=${CN//\//\\/}" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null)
start_openssl -cert "$WORK/pki/c.pem" -key "$WORK/pki/k.pem"
slides fail "127.0.0.1:$PORT"
check "slides: an untrusted certificate without -k fails verification (exit 5)" rc_is 5
valid fail "verification failure, hostile certificate name"
renders fail "verification failure"
python3 - "$D/fail.svg" "$CN" >"$D/fail.why" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
cert = [t for t in texts if "CN=" in t]
want = sys.argv[2].replace("\u202e", "\\u{202e}").replace("\u2060", "\\u{2060}") \
                  .replace("\ufffe", "\\u{fffe}")
if not cert or want not in cert[0]:
    print("certificate row text:", cert, "want it to hold", repr(want))
raw = open(sys.argv[1], encoding="utf-8").read()
for ch in "\u202e\u2060\ufffe":
    if ch in raw:
        print(f"raw U+{ord(ch):04X} in the SVG")
if "<script" in raw:
    print("a <script> element")
red = [t.get("fill") for t in root.iter("{http://www.w3.org/2000/svg}text")
       if "failed at verify: certificate verification failed: self-signed" in "".join(t.itertext())]
if red != ["#c81e1e"]:
    print("failure line at the bottom in red:", red, texts[-3:])
PY
if [ ! -s "$D/fail.why" ]; then
    ok "slides: SVG: the certificate name is text (markup as entities, hidden characters as \\u{NNNN}), the failure in red"
else
    notok "slides: SVG: the certificate name is text (markup as entities, hidden characters as \\u{NNNN}), the failure in red" \
        "$(cat "$D/fail.why")"
fi
if grep -Fq 'CN=#lt;/b#gt;#lt;script#gt;#amp;amp#59;"'"'"'|x|*_#35;59#59;#59;#35;\u{202e}pay\u{2060}pal' "$D/fail.mmd" &&
   grep -Eq '^    Client-x(Server): Alert \([0-9.]+ ms\) !! fatal ' "$D/fail.mmd" &&
   grep -q '^    Note over Client,Server: .* failed at verify: certificate verification failed' "$D/fail.mmd"; then
    ok "slides: Mermaid: # ; < > & as entity codes, the alert row with a cross, the failure as a note"
else
    notok "slides: Mermaid: # ; < > & as entity codes, the alert row with a cross, the failure as a note" \
        "$(grep -E 'Certificate|Alert|failed' "$D/fail.mmd")"
fi
if grep -Fq 'CN=\</b>\<script>\&amp;"'"'"'\|x\|\*\_#59;;#\\u{202e}pay\\u{2060}pal' "$D/fail.md" &&
   grep -Eq '^\| [0-9.]+ \| Client . Server \| \*\*Alert\*\* \| \*\*!! fatal ' "$D/fail.md"; then
    ok "slides: Markdown: | \\ * _ < & escaped with a backslash, the alert row in bold"
else
    notok "slides: Markdown: | \\ * _ < & escaped with a backslash, the alert row in bold" \
        "$(grep -E 'Certificate|Alert' "$D/fail.md")"
fi

# ---- a capture: -r with --conn ----
CAP=captures/tls13-aes128gcm.pcap
slides cap -r "$CAP" --keylog captures/tls13-aes128gcm.keys --conn 1
check "slides: -r --conn 1 runs" rc_is 0
valid cap "-r $CAP --conn 1"
renders cap "-r --conn 1"
run_text -r "$CAP" --svg "$D/nope.svg"
if rc_is 2 && [ ! -e "$D/nope.svg" ] && grep -q -- '--conn N' "$OUT.err"; then
    ok "slides: -r without --conn is a usage error (exit 2), no file"
else
    notok "slides: -r without --conn is a usage error (exit 2), no file" "rc=$RC $(cat "$OUT.err")"
fi
run_text -r "$CAP" --conn 9 --svg "$D/nope.svg"
if rc_is 6 && [ ! -e "$D/nope.svg" ] && grep -q 'no slide written' "$OUT.err"; then
    ok "slides: -r --conn N that matches nothing: exit 6, no file"
else
    notok "slides: -r --conn N that matches nothing: exit 6, no file" "rc=$RC $(cat "$OUT.err")"
fi

# ---- '-' and the usage errors ----
run_text -r "$CAP" --conn 1 --mermaid -
if rc_is 0 && [ "$(head -1 "$OUT")" = sequenceDiagram ] && ! grep -q '──\|TCP connection' "$OUT" &&
   "$CHECK" mermaid "$OUT" >/dev/null; then
    ok "slides: --mermaid - writes the diagram on standard output instead of the ladder"
else
    notok "slides: --mermaid - writes the diagram on standard output instead of the ladder" \
        "rc=$RC" "$(head -5 "$OUT")"
fi
run_text --demo --markdown - --ascii
if rc_is 0 && "$CHECK" markdown "$OUT" >/dev/null && ! LC_ALL=C grep -q '[^ -~]' "$OUT" &&
   grep -q '| Client -> Server | SYN |' "$OUT"; then
    ok "slides: --markdown - --ascii is pure ASCII"
else
    notok "slides: --markdown - --ascii is pure ASCII" "rc=$RC" "$(LC_ALL=C grep -m3 '[^ -~]' "$OUT")"
fi
for args in "--svg - --json" "--svg - --mermaid -" "--svg $D/same --markdown $D/same"; do
    # shellcheck disable=SC2086
    run_text --demo $args
    # With --json a usage error is a JSON document (stage usage); else nothing on stdout.
    if rc_is 2 && [ ! -e "$D/same" ] &&
       { [ ! -s "$OUT" ] || { [[ $args == *--json* ]] && [ "$(q .error.stage)" = usage ]; }; }; then
        ok "slides: ${args//$D\//} is a usage error"
    else
        notok "slides: ${args//$D\//} is a usage error" "rc=$RC $(cat "$OUT.err")"
    fi
done

run_text --demo --svg ''
if rc_is 2 && grep -q 'need a file name' "$OUT.err"; then
    ok "slides: an empty file name is a usage error"
else
    notok "slides: an empty file name is a usage error" "rc=$RC $(cat "$OUT.err")"
fi

# ---- the file rules ----
echo keep >"$D/old.svg"
run_text --demo --svg "$D/old.svg"
if rc_is 6 && [ "$(cat "$D/old.svg")" = keep ] && grep -q 'exists' "$OUT.err" &&
   grep -q ClientHello "$OUT"; then
    ok "slides: an existing file is not overwritten without --force (exit 6, the ladder printed)"
else
    notok "slides: an existing file is not overwritten without --force (exit 6, the ladder printed)" \
        "rc=$RC $(cat "$OUT.err")"
fi
ln -s "$D/target.svg" "$D/link.svg"
run_text --demo --force --svg "$D/link.svg"
if rc_is 6 && [ ! -e "$D/target.svg" ] && grep -q 'symbolic link' "$OUT.err"; then
    ok "slides: a symbolic link is never followed, not even with --force"
else
    notok "slides: a symbolic link is never followed, not even with --force" "rc=$RC $(cat "$OUT.err")"
fi
run_text --demo --force --svg "$D/old.svg"
if rc_is 0 && "$CHECK" svg "$D/old.svg" >/dev/null; then
    ok "slides: --force replaces an existing file"
else
    notok "slides: --force replaces an existing file" "rc=$RC $(cat "$OUT.err")"
fi
if [ -w /dev/full ]; then
    run_text --demo --mermaid /dev/full
    if rc_is 6 && [ -c /dev/full ]; then
        ok "slides: a slide that cannot be created (a device) gives exit 6"
    else
        notok "slides: a slide that cannot be created (a device) gives exit 6" "rc=$RC $(cat "$OUT.err")"
    fi
fi

# ---- Mermaid's own parser, when its npm packages are at hand (mermaid-cli needs a browser) ----
if [ -n "${HSTRACE_MERMAID_MODULES:-}" ] && command -v node >/dev/null; then
    if why=$(NODE_PATH=$HSTRACE_MERMAID_MODULES node tests/tools/mermaid-parse.mjs \
            "$D/demo.mmd" "$D/debug.mmd" "$D/fail.mmd" "$D/cap.mmd" 2>&1); then
        ok "slides: Mermaid's parser reads the diagrams (--demo, --debug, hostile name, -r)"
    else
        notok "slides: Mermaid's parser reads the diagrams (--demo, --debug, hostile name, -r)" "$why"
    fi
else
    skip "slides: Mermaid's parser reads the diagrams" \
        "HSTRACE_MERMAID_MODULES: a node_modules with the npm packages mermaid and jsdom"
fi
