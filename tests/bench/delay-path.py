#!/usr/bin/env python3
# Benchmark helper (not a test): a path with a round trip of 2 x DELAY_MS between this network
# namespace and a new one, for kernels without netem.  Two TUN devices, one here (CLIENT_IP)
# and one in the namespace (SERVER_IP), and this process between them: every IP packet read
# from one is written to the other DELAY_MS later, in order.  Needs root and `ip`.
#
# Usage: delay-path.py NETNS DELAY_MS  -- creates NETNS, prints "ready CLIENT_IP SERVER_IP",
# relays until killed (SIGTERM), then deletes NETNS.  Run the server with
# `ip netns exec NETNS ...` on SERVER_IP; clients here connect to SERVER_IP.
import ctypes, fcntl, heapq, os, select, signal, struct, subprocess, sys, time

CLIENT_IP, SERVER_IP = '10.201.0.1', '10.201.0.2'
TUNSETIFF, IFF_TUN, IFF_NO_PI, CLONE_NEWNET = 0x400454ca, 0x0001, 0x1000, 0x40000000


def tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


def main():
    ns, delay = sys.argv[1], float(sys.argv[2]) / 1000.0
    tag = str(os.getpid() % 100000)
    a_name, b_name = 'hsbA' + tag, 'hsbB' + tag
    subprocess.run(['ip', 'netns', 'add', ns], check=True)
    libc = ctypes.CDLL(None, use_errno=True)
    here = os.open('/proc/self/ns/net', os.O_RDONLY)
    there = os.open('/var/run/netns/' + ns, os.O_RDONLY)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    try:
        a = tun(a_name)
        if libc.setns(there, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), 'setns')
        b = tun(b_name)
        if libc.setns(here, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), 'setns back')
        sh = lambda *c: subprocess.run(list(c), check=True)
        sh('ip', 'addr', 'add', CLIENT_IP, 'peer', SERVER_IP, 'dev', a_name)
        sh('ip', 'link', 'set', a_name, 'up')
        nx = ['ip', 'netns', 'exec', ns]
        sh(*nx, 'ip', 'addr', 'add', SERVER_IP, 'peer', CLIENT_IP, 'dev', b_name)
        sh(*nx, 'ip', 'link', 'set', b_name, 'up')
        sh(*nx, 'ip', 'link', 'set', 'lo', 'up')
        print('ready', CLIENT_IP, SERVER_IP, flush=True)
        pending = []  # (due, seq, fd, packet)
        seq = 0
        while not stop:
            timeout = max(0.0, pending[0][0] - time.monotonic()) if pending else 0.5
            try:
                ready, _, _ = select.select([a, b], [], [], timeout)
            except InterruptedError:
                continue
            now = time.monotonic()
            for fd in ready:
                while True:
                    try:
                        pkt = os.read(fd, 65536)
                    except BlockingIOError:
                        break
                    seq += 1
                    heapq.heappush(pending, (now + delay, seq, b if fd == a else a, pkt))
            now = time.monotonic()
            while pending and pending[0][0] <= now:
                _, _, fd, pkt = heapq.heappop(pending)
                try:
                    os.write(fd, pkt)
                except OSError:
                    pass
    finally:
        subprocess.run(['ip', 'netns', 'del', ns])


main()
