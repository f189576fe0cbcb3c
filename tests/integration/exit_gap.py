#!/usr/bin/env python3
"""usage: exit_gap.py ROUNDS LABEL=COMMAND...

For live_exit.sh: how long a command takes to end after its last output.  Runs the commands
interleaved, ROUNDS times each, with the standard output on a pipe and one more pipe's write
end inherited (as a caller's descriptor would be), and times from the last bytes read:
  exit  the process ending (a pidfd becomes readable),
  eof   end of file on both pipes (every process holding either has closed it: what a
        shell's $(...) waits for).
This process is a child subreaper: a child the command leaves behind is reparented here, and
is waited for (3 s at most) and timed from the command's end.
First prints "close_ms M": the median time this kernel takes to close a packet socket (the
RCU grace period); then one line per label:
  LABEL exit_ms E eof_ms F failed N left L late_ms T
(medians of E and F; N runs that did not exit 0; L children still there after 3 s; T the
longest a child lived after the command's end).
"""
import ctypes, os, select, shlex, socket, statistics, sys, time

PR_SET_CHILD_SUBREAPER = 36


def close_ms():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    t = time.perf_counter()
    s.close()
    return (time.perf_counter() - t) * 1000


def reap_left(t_end):
    """Waits for the children reparented here; (still there after 3 s, longest life in ms)."""
    late, deadline = 0.0, time.monotonic() + 3
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0, late
        if pid:
            late = max(late, (time.monotonic() - t_end) * 1000)
            continue
        if time.monotonic() > deadline:
            return 1, late
        time.sleep(0.002)


def run(argv, devnull):
    extra_r, extra_w = os.pipe()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(devnull, 2)
        os.close(out_r)
        os.close(extra_r)
        os.set_inheritable(extra_w, True)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    os.close(out_w)
    os.close(extra_w)
    pidfd = os.pidfd_open(pid)
    p = select.poll()
    for fd in (out_r, extra_r, pidfd):
        p.register(fd, select.POLLIN)
    t_last = t_exit = None
    eofs, t_eof = 0, None
    deadline = time.monotonic() + 30
    while (eofs < 2 or t_exit is None) and time.monotonic() < deadline:
        for fd, _ in p.poll(1000):
            now = time.monotonic()
            if fd == pidfd:
                t_exit = now
                p.unregister(fd)
                continue
            if os.read(fd, 65536):
                if fd == out_r:
                    t_last = now
                continue
            eofs += 1
            t_eof = now
            p.unregister(fd)
    _, status = os.waitpid(pid, 0)
    t_end = time.monotonic()
    for fd in (out_r, extra_r, pidfd):
        os.close(fd)
    left, late = reap_left(t_end)
    ok = os.waitstatus_to_exitcode(status) == 0 and None not in (t_last, t_exit, t_eof)
    if not ok:
        return False, 0.0, 0.0, left, late
    return True, (t_exit - t_last) * 1000, (t_eof - t_last) * 1000, left, late


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    cmds = [(a.partition('=')[0], shlex.split(a.partition('=')[2])) for a in sys.argv[2:]]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit('exit_gap.py: cannot become a child subreaper')
    print('close_ms %.2f' % statistics.median(close_ms() for _ in range(5)))
    res = {label: {'exit': [], 'eof': [], 'failed': 0, 'left': 0, 'late': 0.0}
           for label, _ in cmds}
    devnull = os.open(os.devnull, os.O_RDWR)
    for _ in range(rounds):
        for label, argv in cmds:
            ok, gap_exit, gap_eof, left, late = run(argv, devnull)
            r = res[label]
            r['left'] += left
            r['late'] = max(r['late'], late)
            if not ok:
                r['failed'] += 1
                continue
            r['exit'].append(gap_exit)
            r['eof'].append(gap_eof)
    for label, _ in cmds:
        r = res[label]
        med = lambda v: statistics.median(v) if v else -1.0
        print('%s exit_ms %.2f eof_ms %.2f failed %d left %d late_ms %.1f' % (
            label, med(r['exit']), med(r['eof']), r['failed'], r['left'], r['late']))


main()
