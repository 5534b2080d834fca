#!/usr/bin/env python3
"""The floor under a hop: UDP round trips between two plain processes on loopback.

A hop through an emu router is two more processes' worth of work on a round trip: the router
process wakes to forward the request and again for the reply. The least that can cost on this
machine is what one round trip between two idle processes costs, measured here at the same
spacing as the pings. Usage: udp-pingpong.py INTERVAL_S COUNT [WARMUP]; prints one RTT in ms
per line (like ping's time=).
"""
import os
import socket
import sys
import time

interval, count = float(sys.argv[1]), int(sys.argv[2])
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 50
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(("127.0.0.1", 0))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.bind(("127.0.0.1", 0))
a.settimeout(2)
pid = os.fork()
if pid == 0:
    while True:
        data, peer = b.recvfrom(2048)
        if data == b"quit":
            os._exit(0)
        b.sendto(data, peer)
payload = b"x" * 84  # an ICMP echo's IP payload of 64 bytes, as ping sends
try:
    for i in range(warmup + count):
        t = time.perf_counter_ns()
        a.sendto(payload, b.getsockname())
        a.recvfrom(2048)
        rtt = (time.perf_counter_ns() - t) / 1e6
        if i >= warmup:
            print(f"time={rtt:.3f} ms")
        time.sleep(interval)
finally:
    a.sendto(b"quit", b.getsockname())
    os.waitpid(pid, 0)
