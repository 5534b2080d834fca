#!/usr/bin/env python3
"""The floor under a hop: UDP round trips between two plain processes on loopback.

A hop through an emu router is two more processes' worth of work on a round trip: the router
process wakes to forward the request and again for the reply. The least that can cost on this
machine is what one round trip between two idle processes costs, measured here at the same
spacing as the pings. Usage: udp-pingpong.py INTERVAL_S COUNT [WARMUP] [--spin] [--threads];
prints one RTT in ms per line (like ping's time=).

--spin: neither process ever sleeps: both poll their non-blocking socket (and the sender waits out
the interval polling the clock), which is what a busy-polling node would do; on a machine with a
core per process this takes wake-ups out of the round trip, and what is left is the cost of the
system calls and of the loopback path itself.

--threads: the echo side is a thread of the same process instead of a forked process (what nodes
sharing one process would be).
"""
import os
import socket
import sys
import threading
import time

spin = "--spin" in sys.argv
threads = "--threads" in sys.argv
args = [x for x in sys.argv[1:] if x not in ("--spin", "--threads")]
interval, count = float(args[0]), int(args[1])
warmup = int(args[2]) if len(args) > 2 else 50
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(("127.0.0.1", 0))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.bind(("127.0.0.1", 0))
a.settimeout(2)
if spin:
    a.setblocking(False)
    b.setblocking(False)


def receive(sock):
    if not spin:
        return sock.recvfrom(2048)
    deadline = time.perf_counter() + 2  # as the blocking side's timeout: a lost datagram ends it
    while time.perf_counter() < deadline:
        try:
            return sock.recvfrom(2048)
        except BlockingIOError:
            pass
    raise TimeoutError("no datagram for 2 s")


def echo():
    while True:
        data, peer = receive(b)
        if data == b"quit":
            return
        b.sendto(data, peer)


if threads:
    peer_thread = threading.Thread(target=echo)
    peer_thread.start()
else:
    pid = os.fork()
    if pid == 0:
        echo()
        os._exit(0)
payload = b"x" * 84  # an ICMP echo's IP payload of 64 bytes, as ping sends
try:
    for i in range(warmup + count):
        t = time.perf_counter_ns()
        a.sendto(payload, b.getsockname())
        receive(a)
        rtt = (time.perf_counter_ns() - t) / 1e6
        if i >= warmup:
            print(f"time={rtt:.3f} ms")
        if spin:
            until = time.perf_counter() + interval
            while time.perf_counter() < until:
                pass
        else:
            time.sleep(interval)
finally:
    a.sendto(b"quit", b.getsockname())
    if threads:
        peer_thread.join()
    else:
        os.waitpid(pid, 0)
