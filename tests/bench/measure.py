#!/usr/bin/env python3
# Benchmark helper (not a test): runs commands interleaved, N rounds, and prints a Markdown
# table of the wall time, the CPU time (user + system, from wait4) and the peak RSS of each,
# as median (min–max), with the ratio of each median to the reference command's.
#
# Usage: measure.py [--rounds N] [--ref LABEL] [--unit ms|s] [--bytes B] LABEL=COMMAND ...
# COMMAND is split like a shell word list (no shell runs: its start-up is not measured); its
# standard output goes to /dev/null.  --bytes adds a throughput column (B / wall).
import os, shlex, statistics, subprocess, sys, time

def main():
    args = sys.argv[1:]
    rounds, ref, unit, nbytes = 11, None, 'ms', 0
    while args and args[0].startswith('--'):
        opt = args.pop(0)
        if opt == '--rounds':
            rounds = int(args.pop(0))
        elif opt == '--ref':
            ref = args.pop(0)
        elif opt == '--unit':
            unit = args.pop(0)
        elif opt == '--bytes':
            nbytes = int(args.pop(0))
        else:
            sys.exit('measure.py: unknown option ' + opt)
    cmds = []
    for a in args:
        label, _, cmd = a.partition('=')
        cmds.append((label, shlex.split(cmd)))
    res = {label: {'wall': [], 'cpu': [], 'rss': [], 'fail': 0} for label, _ in cmds}
    devnull = os.open(os.devnull, os.O_RDWR)
    for _ in range(rounds):
        for label, argv in cmds:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, stdin=devnull, stdout=devnull, stderr=devnull)
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t0
            p.returncode = 0  # reaped here
            r = res[label]
            r['wall'].append(wall)
            r['cpu'].append(ru.ru_utime + ru.ru_stime)
            if os.waitstatus_to_exitcode(status) != 0:
                r['fail'] += 1
    # Peak RSS apart, through /usr/bin/time: a child forked from this Python process would
    # count Python's own pages in its high-water mark.
    for label, argv in cmds:
        for _ in range(3):
            rfd, wfd = os.pipe()
            subprocess.run(['/usr/bin/time', '-f', '%M', '-o', '/dev/fd/%d' % wfd] + argv,
                           stdin=devnull, stdout=devnull, stderr=devnull, pass_fds=(wfd,))
            os.close(wfd)
            out = os.read(rfd, 4096).decode().split()
            os.close(rfd)
            if out and out[-1].isdigit():
                res[label]['rss'].append(int(out[-1]) / 1024.0)
    scale = 1000.0 if unit == 'ms' else 1.0
    fmt = (lambda v: '%.1f' % v) if unit == 'ms' else (lambda v: '%.2f' % v)

    def cell(vals):
        return '%s (%s–%s)' % (fmt(statistics.median(vals) * scale), fmt(min(vals) * scale),
                               fmt(max(vals) * scale))
    refmed = statistics.median(res[ref]['wall']) if ref in res else None
    refcpu = statistics.median(res[ref]['cpu']) if ref in res else None
    head = '| command | wall %s | CPU %s | peak RSS MB |' % (unit, unit)
    line = '|---|---|---|---|'
    if nbytes:
        head += ' MB/s |'
        line += '---|'
    if refmed:
        head += ' wall / %s | CPU / %s |' % (ref, ref)
        line += '---|---|'
    print(head)
    print(line)
    for label, _ in cmds:
        r = res[label]
        row = '| %s%s | %s | %s | %.1f |' % (label, ' (%d failed)' % r['fail'] if r['fail'] else '',
                                             cell(r['wall']), cell(r['cpu']), max(r['rss']) if r['rss'] else 0)
        if nbytes:
            row += ' %.0f |' % (nbytes / 1e6 / statistics.median(r['wall']))
        if refmed:
            cpu = statistics.median(r['cpu'])
            row += ' %.2f | %s |' % (statistics.median(r['wall']) / refmed,
                                     '%.2f' % (cpu / refcpu) if refcpu else '-')
        print(row)

main()
