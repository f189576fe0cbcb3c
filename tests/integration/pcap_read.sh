#!/usr/bin/env bash
# Reading captures (-r): every public capture decodes to a schema-valid document whose handshake
# messages (frame, direction, type) match what tshark 4.0.17 decoded from the same file (the
# .truth.txt beside it: section B with the key log, else A); bad files give the right exit
# codes; a live trace written with -w and replayed with -r gives the same TLS events.
. "$(dirname "$0")/../lib.sh"
CAPS=${HS_CAPTURES_PUBLIC:-$PWD/../shared/captures-public}

# compare TRUTH JSON SECTION: prints the differences, exits 1 if any.
compare_truth() {
    python3 - "$@" <<'EOF'
import json, re, sys
truth_path, doc_path, section = sys.argv[1], sys.argv[2], sys.argv[3]
# tshark's names -> hstrace's event types (an encrypted handshake message tshark could not
# read is one of hstrace's opaque handshake rows).
NAMES = {
    "Client Hello": "ClientHello", "Server Hello": "ServerHello",
    "Hello Retry Request": "HelloRetryRequest", "Certificate": "Certificate",
    "Certificate Request": "CertificateRequest", "Certificate Verify": "CertificateVerify",
    "Server Key Exchange": "ServerKeyExchange", "Server Hello Done": "ServerHelloDone",
    "Client Key Exchange": "ClientKeyExchange", "Finished": "Finished",
    "New Session Ticket": "NewSessionTicket", "Encrypted Extensions": "EncryptedExtensions",
    "End of Early Data": "EndOfEarlyData", "Key Update": "KeyUpdate",
    "ChangeCipherSpec": "ChangeCipherSpec", "Encrypted Handshake Message": "(opaque handshake)",
    "Encrypted Alert": "Alert", "Alert": "Alert",
}
truth, truth_dst, cur = [], [], None
for line in open(truth_path, encoding="utf-8"):
    if line.startswith("## "):
        cur = line[3]
        continue
    if cur != section or not re.match(r"^\d+\|", line):
        continue
    f = line.rstrip("\n").split("|")
    frame, (src, dst), msg = int(f[0]), f[1].split("->"), f[4]
    name = re.sub(r"\(\d+\)$", "", msg.split(" (Level")[0]).strip()
    truth.append((frame, src, NAMES.get(name, "?" + name)))
    truth_dst.append(dst)

doc = json.load(open(doc_path, encoding="utf-8"))
# Per connection (keyed by the client's address:port), in order.
ours, clients = {}, set()
for conn in doc["connections"]:
    client = conn["target"]["client_address"]
    clients.add(client)
    lst = ours.setdefault(client, [])
    for ev in conn["events"]:
        if ev["layer"] != "tls" or ev["type"] in ("ApplicationData", "EncryptedHandshake", "Error", "NotTLS"):
            continue
        t = ev["type"]
        if ev["encrypted"] and not ev["decrypted"] and t in ("Finished", "EncryptedHandshakeMessage", "Handshake"):
            t = "(opaque handshake)"
        lst.append((ev.get("frames") or [0], ev["from"], t))
bad = []
# tshark lines of a connection: sent by its client, or to it.
seen_truth = [(frame, src, name, dst) for (frame, src, name), dst in zip(truth, truth_dst)]
for client, lst in ours.items():
    tl = [(f, "client" if s == client else "server", n) for f, s, n, d in seen_truth if client in (s, d)]
    for i in range(max(len(tl), len(lst))):
        t = tl[i] if i < len(tl) else None
        o = lst[i] if i < len(lst) else None
        if t and o and t[1] == o[1]:
            frames = o[0]
            # tshark names the frame that completed reassembly: a later one when the bytes
            # waited for an earlier hole to fill.
            frame_ok = t[0] in frames or t[0] > max(frames)
            if frame_ok and t[2] == o[2]:
                continue
        bad.append(f"{client} #{i}: tshark {t if t else '-'} | hstrace {o[:3] if o else '-'}")
if sum(len(v) for v in ours.values()) == 0 and truth:
    bad.append("hstrace decoded no handshake message")
for b in bad[:12]:
    print(b)
sys.exit(1 if bad else 0)
EOF
}

if [ ! -d "$CAPS" ]; then
    skip "public captures" "$CAPS is absent"
else
    for cap in "$CAPS"/*.pcap "$CAPS"/*.pcapng; do
        [ -f "$cap" ] || continue
        base=${cap%.*}
        name=$(basename "$base")
        keys=()
        section=A
        if [ -f "$base.keys" ]; then keys=(--keylog "$base.keys"); section=B; fi
        OUT=$WORK/$name.json
        "$HSTRACE" -r "$cap" --json "${keys[@]}" >"$OUT" 2>"$OUT.err"
        RC=$?
        if [ "$RC" -ne 0 ]; then
            notok "read $name" "exit $RC: $(head -c 300 "$OUT.err")"
            continue
        fi
        if ! python3 "$VALIDATE" "$SCHEMA" "$OUT" >"$OUT.schema" 2>&1; then
            notok "schema: $name" "$(head -c 600 "$OUT.schema")"
            continue
        fi
        ok "schema: $name"
        if [ ! -f "$base.truth.txt" ]; then
            skip "tshark truth: $name" "no truth file"
        elif diff=$(compare_truth "$base.truth.txt" "$OUT" "$section"); then
            ok "tshark truth ($section): $name"
        else
            mapfile -t lines <<<"$diff"
            notok "tshark truth ($section): $name" "${lines[@]}"
        fi
        # The text view of the same file works too and names every connection.
        n=$(jq '.connections | length' "$OUT")
        t=$("$HSTRACE" -r "$cap" --plain "${keys[@]}" 2>/dev/null | grep -c '^── connection ')
        if [ "$t" = "$n" ]; then ok "text ladders: $name"; else notok "text ladders: $name" "$t ladders, $n in JSON"; fi
    done
fi

# Selection: --conn and --filter on a capture with several connections.
multi=$CAPS/suri-tls-ticket-resumption.pcap
if [ -f "$multi" ]; then
    OUT=$WORK/conn.json
    "$HSTRACE" -r "$multi" --json --conn 2 >"$OUT" 2>/dev/null
    if [ "$(jq '[.connections[].connection] | join(",")' -r "$OUT")" = 2 ] &&
        [ "$(jq .source.tls_connections "$OUT")" = 5 ]; then
        ok "--conn 2 picks one connection"
    else
        notok "--conn 2 picks one connection" "$(jq -c '[.connections[].connection], .source' "$OUT")"
    fi
    port=$(jq -r '.connections[0].target.client_address | sub(".*:"; "")' "$OUT")
    "$HSTRACE" -r "$multi" --json --filter "192.168.56.1:$port" >"$OUT" 2>/dev/null
    if [ "$(jq '.connections | length' "$OUT")" = 1 ]; then ok "--filter HOST:PORT"; else
        notok "--filter HOST:PORT" "$(jq -c '[.connections[].target]' "$OUT")"; fi
    "$HSTRACE" -r "$multi" --json --filter 192.168.56.101 >"$OUT" 2>/dev/null
    if [ "$(jq '.connections | length' "$OUT")" = 5 ]; then ok "--filter HOST"; else
        notok "--filter HOST" "$(jq -c '.source' "$OUT")"; fi
fi

# STARTTLS: the note names the protocol.
smtp=$CAPS/zeek-smtp-starttls.pcap
if [ -f "$smtp" ]; then
    OUT=$WORK/smtp.json
    "$HSTRACE" -r "$smtp" --json >"$OUT" 2>/dev/null
    if jq -e '[.connections[0].events[] | select(.layer=="library") | .summary] | any(startswith("STARTTLS (SMTP)"))' "$OUT" >/dev/null; then
        ok "STARTTLS note"
    else
        notok "STARTTLS note" "$(jq -c '[.connections[0].events[] | select(.layer=="library")]' "$OUT")"
    fi
fi

# Exit codes: 2 for a file that is not a capture, 1 (and what was read) for a truncated one.
printf 'not a capture at all\n' >"$WORK/junk.pcap"
"$HSTRACE" -r "$WORK/junk.pcap" >/dev/null 2>"$WORK/junk.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'hstrace: ' "$WORK/junk.err"; then ok "unreadable file: exit 2"; else
    notok "unreadable file: exit 2" "rc=$rc $(cat "$WORK/junk.err")"; fi
"$HSTRACE" -r "$WORK/does-not-exist.pcap" >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then ok "missing file: exit 2"; else notok "missing file: exit 2" "rc=$rc"; fi
src=$CAPS/ill-tls13.pcap
if [ -f "$src" ]; then
    size=$(stat -c %s "$src")
    head -c $((size - 100)) "$src" >"$WORK/cut.pcap"
    OUT=$WORK/cut.json
    "$HSTRACE" -r "$WORK/cut.pcap" --json >"$OUT" 2>"$OUT.err"
    rc=$?
    if [ "$rc" -eq 1 ] && grep -q 'truncated' "$OUT.err" && python3 "$VALIDATE" "$SCHEMA" "$OUT" >/dev/null 2>&1 &&
        [ "$(jq '.connections | length' "$OUT")" = 1 ]; then
        ok "truncated file: exit 1, what was read, valid JSON"
    else
        notok "truncated file: exit 1, what was read, valid JSON" "rc=$rc $(head -c 300 "$OUT.err")"
    fi
fi

# Live trace written with -w, replayed with -r: the same TLS events.
if ! "$HSTRACE" --help 2>&1 | grep -q -- '-w'; then
    skip "live -w then -r" "no -w in this build"
else
    make_pki
    start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key" -tls1_3
    for ext in pcap pcapng; do
        cap=$WORK/live.$ext
        trace_json --cafile "$PKI/ca.crt" --keylog "$WORK/live-$ext.keys" -w "$cap" "localhost:$PORT"
        live=$OUT
        if [ "$RC" -ne 0 ] || [ ! -s "$cap" ]; then
            if grep -qi 'permission\|capture' "$OUT.err"; then
                skip "live -w then -r ($ext)" "no capture permission"
            else
                notok "live -w then -r ($ext)" "live rc=$RC $(head -c 300 "$OUT.err")"
            fi
            continue
        fi
        keys=(--keylog "$WORK/live-$ext.keys")
        [ "$ext" = pcapng ] && keys=() # the DSB carries the secrets
        OUT=$WORK/replay-$ext.json
        "$HSTRACE" -r "$cap" --json "${keys[@]}" >"$OUT" 2>"$OUT.err"
        sel='[.events[] | select(.layer=="tls") | {type, from, encrypted, decrypted, summary}]'
        a=$(jq -c "$sel" "$live")
        b=$(jq -c ".connections[0] | $sel" "$OUT")
        if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$(jq '.connections | length' "$OUT")" = 1 ]; then
            ok "live -w then -r ($ext): same TLS events"
        else
            notok "live -w then -r ($ext): same TLS events" "live:   ${a:0:400}" "replay: ${b:0:400}"
        fi
    done
fi
