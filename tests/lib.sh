# Shared helpers for the integration scripts: a scratch dir, local CA and certificates, peers
# on free loopback ports (stopped by PID at exit), and assertions on hstrace's JSON.
set -u
HSTRACE=${HSTRACE:-$PWD/build/rel/hstrace}
SCHEMA=$PWD/man/hstrace-json.schema.json
VALIDATE=$PWD/tests/tools/validate-json
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hstrace-test.XXXXXX")
PIDS=()

cleanup() {
    local p
    json_audit
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    release_ports
    rm -rf "$WORK"
}
trap cleanup EXIT
# Run by `sudo make check`, hstrace would drop to the sudo user (see -Z): tests that want that
# set these themselves.
unset SUDO_UID SUDO_GID SUDO_USER

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
skip() { echo "skip - $1 ($2)"; }

# `make check VALGRIND=1`: hstrace runs under valgrind (errors and definite leaks exit 88), in
# the scripts named by VALGRIND_SCRIPTS only, as it is slow.
if [ "${VALGRIND:-}" = 1 ]; then
    case " ${VALGRIND_SCRIPTS:-live_openssl pcap_read captures options files_privs} " in
    *" $(basename "$0" .sh) "*)
        printf '#!/bin/sh\nexec valgrind -q --error-exitcode=88 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite "%s" "$@"\n' \
            "$HSTRACE" >"$WORK/hstrace-valgrind"
        chmod 755 "$WORK/hstrace-valgrind"
        HSTRACE=$WORK/hstrace-valgrind ;;
    *) skip "$(basename "$0" .sh)" "not run under valgrind (VALGRIND_SCRIPTS)"; exit 0 ;;
    esac
fi

# Every --json run of $HSTRACE whose stdout is a file is checked against the schema too, when
# the script ends, also where the script checks other things only: HSTRACE becomes a small
# wrapper that notes the file and then becomes hstrace (HSTRACE_BIN stays the binary).  A file
# holds what the last run writing to it left; an output that is not JSON (cut short, a usage
# error without --json) is not judged here.
HSTRACE_BIN=$HSTRACE
JSON_AUDIT_LIST=$WORK/json-audit.list
if [ -z "${NO_JSON_AUDIT:-}" ]; then
    printf '#!/bin/sh\ncase " $* " in\n*" --json "*)\n    out=$(readlink "/proc/$$/fd/1" 2>/dev/null)\n    [ -n "$out" ] && [ -f "$out" ] && { printf "%%s\\n" "$out" >>"%s"; } 2>/dev/null ;;\nesac\nexec "%s" "$@"\n' \
        "$JSON_AUDIT_LIST" "$HSTRACE" >"$WORK/hstrace-audit"
    chmod 755 "$WORK/hstrace-audit"
    HSTRACE=$WORK/hstrace-audit
fi

# At exit: one test line for the --json outputs noted above, none when there were none.
json_audit() {
    [ -s "$JSON_AUDIT_LIST" ] || return 0
    local name report files lines
    name="$(basename "$0" .sh): every --json document written to a file matches the schema"
    mapfile -t files < <(sort -u "$JSON_AUDIT_LIST")
    rm -f "$JSON_AUDIT_LIST"
    if report=$(python3 "$VALIDATE" "$SCHEMA" --each "${files[@]}" 2>&1); then
        ok "$name ($(tail -n 1 <<<"$report"))"
    else
        mapfile -t lines < <(head -n 30 <<<"$report")
        notok "$name" "${lines[@]}"
    fi
}

# A port nobody listens on right now, for a server of this script.  Scripts run at the same
# time (tests/run.sh), so a port from bind(0) could go to two of them, or be one the kernel
# hands a client as its own end: the port is picked at random below the kernel's ephemeral
# range instead, and reserved until this script ends (a directory named after it under
# PORTS_DIR holding this script's PID; one whose script is gone is taken over).
PORTS_DIR=${TMPDIR:-/tmp}/hstrace-test-ports
free_port() {
    python3 - "$PORTS_DIR" "$$" <<'PY'
import os, random, shutil, socket, sys
top, me = sys.argv[1], sys.argv[2]
try:
    os.mkdir(top)
    os.chmod(top, 0o1777)
except OSError:
    pass
try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        low = int(f.read().split()[0])
except (OSError, ValueError, IndexError):
    low = 32768
low = max(low, 2048)
def reserve(d):
    try:
        os.mkdir(d)
    except FileExistsError:
        try:
            with open(os.path.join(d, "pid")) as f:
                os.kill(int(f.read()), 0)
            return False  # its script is running
        except ProcessLookupError:
            pass  # its script is gone
        except (OSError, ValueError):
            return False  # no PID yet, or another user's
        try:  # taken over: only one of the scripts trying it renames it
            os.rename(d, "%s.gone-%d" % (d, os.getpid()))
        except OSError:
            return False
        shutil.rmtree("%s.gone-%d" % (d, os.getpid()), ignore_errors=True)
        return reserve(d)
    except OSError:
        return False
    with open(os.path.join(d, "pid.new"), "w") as f:
        f.write(me)
    os.rename(os.path.join(d, "pid.new"), os.path.join(d, "pid"))
    return True
for _ in range(500):
    port = random.randrange(max(1024, low - 12000), low)
    d = os.path.join(top, str(port))
    if not reserve(d):
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        shutil.rmtree(d, ignore_errors=True)  # somebody else's
        continue
    finally:
        s.close()
    print(port)
    sys.exit(0)
s = socket.socket()  # no reservation to be had: as before
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}
# The ports free_port reserved for this script, released (from cleanup).
release_ports() {
    local f
    for f in "$PORTS_DIR"/*/pid; do
        [ "$(cat "$f" 2>/dev/null)" = "$$" ] && rm -rf "${f%/pid}"
    done
    return 0
}

# Waits until something accepts on 127.0.0.1:$1, or on $2:$1 (5 s at most).
wait_port() {
    local i
    for i in $(seq 1 100); do
        (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# Starts a command in the background, remembers its PID.
start_bg() {
    "$@" >"$WORK/peer-$$.log" 2>&1 </dev/null &
    PIDS+=("$!")
    LAST_PID=$!
}

stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; true; }

# A CA and server certificates: RSA and ECDSA for localhost/127.0.0.1, expired, wrong name,
# signed by an unknown CA.
make_pki() {
    local d=$WORK/pki
    mkdir -p "$d" && cd "$d" || return 1
    local ext=$d/san.ext
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\n' >"$ext"
    printf 'subjectAltName=DNS:wrong.example\nbasicConstraints=CA:FALSE\n' >"$d/wrong.ext"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
        -out ca.crt -subj "/CN=hstrace test CA" -days 30 2>/dev/null
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key \
        -out other-ca.crt -subj "/CN=unknown test CA" -days 30 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.csr \
        -subj "/CN=localhost" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr -subj "/CN=localhost" 2>/dev/null
    openssl x509 -req -in ec.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile "$ext" -out ec.crt 2>/dev/null
    openssl x509 -req -in rsa.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile "$ext" -out rsa.crt 2>/dev/null
    openssl x509 -req -in ec.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days -1 -extfile "$ext" -out expired.crt 2>/dev/null
    openssl x509 -req -in ec.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile "$d/wrong.ext" -out wrong.crt 2>/dev/null
    openssl x509 -req -in ec.csr -CA other-ca.crt -CAkey other-ca.key -CAcreateserial -days 30 -extfile "$ext" -out unknown.crt 2>/dev/null
    cd - >/dev/null || return 1
    PKI=$d
}

# openssl s_server on a free port with the given extra arguments; sets PORT.
start_openssl() {
    PORT=$(free_port)
    start_bg openssl s_server -accept "127.0.0.1:$PORT" -naccept 50 -quiet "$@"
    wait_port "$PORT"
}

# A Python listener on a free port (sets PORT, waits until it accepts): for every accepted
# connection `c` it runs the Python statement $1 (e.g. 'c.recv(4096); c.close()').
start_py_server() {
    PORT=$(free_port)
    start_bg python3 -c 'import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
keep=[]
while True:
    c,_=s.accept(); keep.append(c)
    exec(sys.argv[2])' "$PORT" "$1"
    wait_port "$PORT"
}

# gnutls-serv on a free port; sets PORT.
start_gnutls() {
    PORT=$(free_port)
    start_bg gnutls-serv --port "$PORT" --quiet "$@"
    wait_port "$PORT"
}

# Runs hstrace with --json; sets OUT (the file), RC.  Validates the document against the schema.
JSON_INVALID=""
trace_json() {
    OUT=$WORK/out-$RANDOM.json
    "$HSTRACE" --json "$@" >"$OUT" 2>"$OUT.err"
    RC=$?
    JSON_INVALID=""
    if ! python3 "$VALIDATE" "$SCHEMA" "$OUT" >"$OUT.schema" 2>&1; then
        JSON_INVALID=$(head -c 600 "$OUT.schema")
    fi
}

# Runs hstrace without --json (text output or a usage error): sets OUT, RC; nothing to validate.
run_text() {
    OUT=$WORK/out-$RANDOM.txt
    "$HSTRACE" "$@" >"$OUT" 2>"$OUT.err"
    RC=$?
    JSON_INVALID=""
}

# jq on the last output.
q() { jq -r "$@" "$OUT"; }

# The list of TLS event types, one line: "ClientHello ServerHello ...".
tls_types() { jq -r '[.events[] | select(.layer=="tls") | .type] | join(" ")' "$OUT"; }

# check NAME CONDITION-COMMAND... : runs the command; ok if it succeeds and the JSON was valid.
check() {
    local name=$1
    shift
    if [ -n "$JSON_INVALID" ]; then
        notok "$name" "JSON does not validate: $JSON_INVALID"
    elif "$@"; then
        ok "$name"
    else
        notok "$name" "rc=$RC types: $(tls_types 2>/dev/null)" \
            "error: $(jq -c .error "$OUT" 2>/dev/null) tls: $(jq -c .tls "$OUT" 2>/dev/null)" \
            "stderr: $(head -c 300 "$OUT.err")"
    fi
}

# Condition helpers.
rc_is() { [ "$RC" -eq "$1" ]; }
jq_true() { [ "$(jq -r "$1" "$OUT")" = true ]; }
types_contain() { tls_types | grep -q -- "$1"; }

# start_nginx PAGE DIRECTIVES [LISTEN]: nginx (one worker process, which serves many
# connections at once) on 127.0.0.1:$NPORT (TLS 1.2 and 1.3, $PKI/ec.crt) serving PAGE as
# /index.html, with DIRECTIVES added to its server block and LISTEN to its listen line;
# NGINX_LOG is its error log.
# Returns 1 when nginx is not installed (NPORT unset), 2 when it did not start (LAST_PID set).
start_nginx() {
    local bin
    bin=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }) || return 1
    NPORT=$(free_port)
    mkdir -p "$WORK/nginx/html" "$WORK/nginx/logs"
    NGINX_LOG=$WORK/nginx/logs/error.log
    printf '%s\n' "$1" >"$WORK/nginx/html/index.html"
    cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off; master_process off; worker_processes 1;
pid $WORK/nginx/nginx.pid; error_log $NGINX_LOG;
events { worker_connections 1024; }
http {
  access_log off; client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx; uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.1:$NPORT ssl ${3:-}; server_name localhost; root $WORK/nginx/html;
    ssl_certificate $PKI/ec.crt; ssl_certificate_key $PKI/ec.key; ssl_protocols TLSv1.2 TLSv1.3;
    $2
  }
}
CONF
    start_bg "$bin" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$NGINX_LOG"
    wait_port "$NPORT" || return 2
}
