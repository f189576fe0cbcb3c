#!/usr/bin/env bash
# Text that hides or reorders itself: a local openssl s_server whose certificate names hold
# format and default-ignorable code points (U+2060 word joiner, U+202E RTL override, U+E0041
# tag, U+00AD soft hyphen, U+FE0F variation selector, ...) and U+011B (whose UTF-8 0xc4 0x9b
# an 8-bit terminal takes for CSI); a server that answers in text with them.  The text ladder,
# JSON and the interactive view must show them as \u{NNNN}, never raw; in the C locale every
# byte of the output must be ASCII.  Also checks the escaper's table against unicodedata.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib.sh
. tests/lib.sh

if out=$(python3 tests/tools/check-unsafe-table src/core/escape.c 2>&1); then
    ok "text: the table of unsafe code points covers Cf and default-ignorables ($(tail -1 <<<"$out" | tr -d '#'))"
else
    notok "text: the table of unsafe code points covers Cf and default-ignorables" "$out"
fi

# The code points put in the names, and a printable non-ASCII one (kept raw in UTF-8).
HIDDEN="2060 202e e0041 00ad fe0f 061c 180e 3164 115f fff9 034f e0100"
u() { printf "\\U$(printf %08x "0x$1")"; }
CN="pay$(u 2060)pal$(u 202e)evil$(u e0041)x$(u 00ad)y$(u fe0f)z$(u 011b)"
ORG="a$(u 061c)b$(u 180e)c$(u 3164)d$(u 115f)e$(u fff9)f$(u 034f)g$(u e0100)h"
mkdir -p "$WORK/pki"
(cd "$WORK/pki" && openssl req -x509 -utf8 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout k.pem -out c.pem -days 2 -subj "/CN=$CN/O=$ORG" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:$CN" 2>/dev/null)
if ! [ -s "$WORK/pki/c.pem" ]; then
    notok "text: a certificate with hidden code points" "openssl req -utf8 failed"
    exit 0
fi

# How U+011B shows: raw (UTF-8 locale), escaped by hstrace, escaped by JSON.  How hidden code
# points show: in text, and in the JSON text (its backslash doubled).
RAW=$(u 011b)
ESC_TEXT='\u{%s}'
ESC_JSON='\\u{%s}'

# scan FILE KEPT ESC: prints what is wrong with FILE: a code point of $HIDDEN raw or not
# written as ESC says, U+011B not written as KEPT, and when KEPT is ASCII, any byte but
# printable ASCII and newline.
scan() {
    python3 - "$1" "$2" "$3" "$HIDDEN" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
kept, esc, hidden = sys.argv[2].encode(), sys.argv[3], sys.argv[4].split()
bad = []
for h in hidden:
    if chr(int(h, 16)).encode() in data:
        bad.append(f"raw U+{h.upper()}")
    if (esc % h).encode() not in data:
        bad.append(f"no {esc % h}")
if kept not in data:
    bad.append(f"U+011B is not there as {kept!r}")
if kept.isascii():
    odd = sorted({b for b in data if b >= 0x7f or (b < 0x20 and b != 10)})
    if odd:
        bad.append("non-ASCII or control bytes " + " ".join(f"{b:02x}" for b in odd[:12]))
print("; ".join(bad))
EOF
}

# expect_clean NAME FILE KEPT [ESC]
expect_clean() {
    local why
    why=$(scan "$2" "$3" "${4:-$ESC_TEXT}")
    if [ -z "$why" ]; then ok "$1"; else notok "$1" "$why" "$(head -c 1500 "$2")"; fi
}

start_openssl -cert "$WORK/pki/c.pem" -key "$WORK/pki/k.pem"
TARGET=127.0.0.1:$PORT

LC_ALL=C.UTF-8 "$HSTRACE" --plain -k "$TARGET" >"$WORK/plain.txt" 2>&1
expect_clean "text: --plain shows hidden code points in certificate names as \\u{NNNN}" \
    "$WORK/plain.txt" "$RAW"

LC_ALL=C.UTF-8 trace_json -k "$TARGET"
check "text: --json -k is valid" rc_is 0
expect_clean "text: --json holds no hidden code point raw" "$OUT" "$RAW" "$ESC_JSON"
jq -r '.certificate.chain[0].san[], .certificate.chain[0].subject,
       (.events[] | select(.type == "Certificate") | .summary)' "$OUT" >"$WORK/decoded.txt"
expect_clean "text: --json subject, SAN and summary, decoded, show the escapes" \
    "$WORK/decoded.txt" "$RAW"

LC_ALL=C LANG=C "$HSTRACE" --plain -k "$TARGET" >"$WORK/c.txt" 2>&1
expect_clean "text: LC_ALL=C --plain is pure ASCII, non-ASCII peer text escaped" \
    "$WORK/c.txt" '\u{011b}'
if grep -Eq '^ +[0-9.]+ \|-+ ClientHello -+>\|' "$WORK/c.txt"; then
    ok "text: LC_ALL=C draws the ladder with ASCII"
else
    notok "text: LC_ALL=C draws the ladder with ASCII" "$(head -12 "$WORK/c.txt")"
fi

# --ascii: hstrace's own arrows and ellipses drawn as ASCII, peer text still escaped.
LC_ALL=C.UTF-8 "$HSTRACE" --plain --ascii -k "$TARGET" >"$WORK/ascii.txt" 2>&1
expect_clean "text: --ascii is pure ASCII, peer text escaped" "$WORK/ascii.txt" '\u{011b}'
LC_ALL=C.UTF-8 "$HSTRACE" --demo --plain --ascii >"$WORK/demo-ascii.txt" 2>&1
if LC_ALL=C grep -q '[^ -~]' "$WORK/demo-ascii.txt" || grep -q '\\u{' "$WORK/demo-ascii.txt" ||
   ! grep -q 'CN=localhost <- CN=hstrace demo CA' "$WORK/demo-ascii.txt" ||
   ! grep -Eq 'verify_data [0-9a-f]+\.\.\.' "$WORK/demo-ascii.txt"; then
    notok "text: --ascii draws hstrace's own arrows and ellipses as ASCII, not \\u{...}" \
        "$(grep -n 'Certificate\|verify_data\|u{' "$WORK/demo-ascii.txt" | head -5)"
else
    ok "text: --ascii draws hstrace's own arrows and ellipses as ASCII, not \\u{...}"
fi

export LC_ALL=C LANG=C
trace_json -k "$TARGET"
unset LC_ALL LANG
check "text: LC_ALL=C --json is valid" rc_is 0
expect_clean "text: LC_ALL=C --json is pure ASCII" "$OUT" '\u011B' "$ESC_JSON"
if [[ "$(jq -r '.certificate.chain[0].subject' "$OUT")" == *"z$RAW, O=a"* ]]; then
    ok "text: LC_ALL=C --json keeps the text, as \\uXXXX escapes"
else
    notok "text: LC_ALL=C --json keeps the text, as \\uXXXX escapes" "$(q .certificate.chain[0])"
fi

# A peer that answers in text: the "not TLS" row shows its first 48 bytes (the name fits).
start_py_server 'c.recv(4096); c.sendall("HTTP/1.1 400 '"$CN"'\r\n\r\n".encode()); c.close()'
HIDDEN="2060 202e e0041 00ad fe0f"
LC_ALL=C.UTF-8 "$HSTRACE" --plain "127.0.0.1:$PORT" >"$WORK/nottls.txt" 2>&1
if grep -q 'not TLS: HTTP' "$WORK/nottls.txt"; then
    expect_clean "text: the not-TLS row escapes hidden code points" "$WORK/nottls.txt" "$RAW"
else
    notok "text: the not-TLS row escapes hidden code points" "$(cat "$WORK/nottls.txt")"
fi
LC_ALL=C "$HSTRACE" --plain "127.0.0.1:$PORT" >"$WORK/nottls-c.txt" 2>&1
expect_clean "text: LC_ALL=C, the not-TLS row is pure ASCII" "$WORK/nottls-c.txt" '\u{011b}'

# The interactive view, in tmux: the screen shows the escapes, and no hidden code point (in
# the C locale: no byte outside ASCII) reaches the terminal.
if ! command -v tmux >/dev/null; then
    skip "text: interactive view" "tmux is not installed"
    exit 0
fi
SOCK=hstrace-text-$$-none
T() { tmux -L "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null; cleanup' EXIT
wait_for() { # REGEX [SECS]: polls the screen
    local end=$(($(date +%s%N) / 1000000 + ${2:-8} * 1000))
    while [ $(($(date +%s%N) / 1000000)) -lt "$end" ]; do
        T capture-pane -p -t t | grep -Eq -- "$1" && return 0
        sleep 0.05
    done
    return 1
}
start_openssl -cert "$WORK/pki/c.pem" -key "$WORK/pki/k.pem"
for loc in C.UTF-8 C; do
    T kill-server 2>/dev/null
    SOCK=hstrace-text-$$-$loc # a fresh tmux server each time
    T -f /dev/null new-session -d -s t -x 250 -y 40 \
        env -u NO_COLOR LANG="$loc" LC_ALL="$loc" PS1='$ ' bash --norc --noprofile
    wait_for '^\$ ' 5
    T pipe-pane -t t -o "cat >> '$WORK/pty-$loc.raw'"
    T send-keys -t t "clear; '$HSTRACE' -k --timeout 3 127.0.0.1:$PORT; echo EXIT=\$?" Enter
    want='Certificate .*CN=pay\\u\{2060\}pal\\u\{202e\}evil\\u\{e0041\}x\\u\{00ad\}y\\u\{fe0f\}z'
    [ "$loc" = C ] && want="$want"'\\u\{011b\}'
    if wait_for "$want" 10; then
        ok "text: interactive view ($loc) shows the certificate name escaped"
    else
        notok "text: interactive view ($loc) shows the certificate name escaped" \
            "$(T capture-pane -p -t t)"
    fi
    T send-keys -t t q
    wait_for '^EXIT=' 5
    T pipe-pane -t t
    python3 - "$WORK/pty-$loc.raw" "$loc" "$HIDDEN" >"$WORK/pty.why" 2>&1 <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
bad = [h for h in sys.argv[3].split() if chr(int(h, 16)).encode() in data]
if sys.argv[2] == "C":
    bad += sorted({f"{b:02x}" for b in data if b >= 0x80})[:12]
if bad or b"pay" not in data:
    print("on the terminal:", bad, "name drawn:", b"pay" in data)
EOF
    if [ -s "$WORK/pty.why" ]; then
        notok "text: interactive view ($loc) sends no hidden code point to the terminal" \
            "$(cat "$WORK/pty.why")"
    else
        ok "text: interactive view ($loc) sends no hidden code point to the terminal"
    fi
done
