#!/usr/bin/env python3
"""emu's bulk protocol spoken by the Linux kernel's TCP (for interop tests).

The client sends an 8-byte big-endian length N with its top bit set (verify), then N bytes;
the server answers with the 32-byte SHA-256 of the N bytes it received and closes.

  bulk.py server PORT [ADDR]     serve one transfer, print the digest (ADDR: 0.0.0.0, or ::
                                 for IPv6 and IPv4 both)
  bulk.py client HOST PORT SIZE  send SIZE bytes (suffix K/M), compare digests; exit 0 if equal
"""
import hashlib
import os
import socket
import struct
import sys

VERIFY = 1 << 63


def size(text):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:].upper(), 1)
    return int(text[:-1] if mult > 1 else text) * mult


def read_exact(conn, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return bytes(buf)


def server(port, addr="0.0.0.0"):
    srv = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1)
    print("listening on %d" % port, flush=True)
    conn, peer = srv.accept()
    (header,) = struct.unpack("!Q", read_exact(conn, 8))
    n = header & ~VERIFY
    sha = hashlib.sha256()
    got = 0
    while got < n:
        chunk = conn.recv(min(1 << 16, n - got))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (got, n))
        sha.update(chunk)
        got += len(chunk)
    conn.sendall(sha.digest())
    conn.close()
    print("received %d bytes from %s sha256 %s" % (n, peer[0], sha.hexdigest()), flush=True)


def client(host, port, n):
    conn = socket.create_connection((host, port), timeout=120)
    conn.sendall(struct.pack("!Q", n | VERIFY))
    sha = hashlib.sha256()
    sent = 0
    while sent < n:
        chunk = os.urandom(min(1 << 16, n - sent))
        sha.update(chunk)
        conn.sendall(chunk)
        sent += len(chunk)
    theirs = read_exact(conn, 32)
    # struct tcp_info: 8 bytes of u8 fields (options at 5, the window scales at 6), then u32s:
    # tcpi_snd_mss the 3rd, tcpi_total_retrans the 24th
    info = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    (retrans,) = struct.unpack_from("I", info, 100)
    (mss,) = struct.unpack_from("I", info, 16)
    opts = [name for bit, name in ((1, "ts"), (2, "sack"), (4, "wscale")) if info[5] & bit]
    conn.close()
    ok = theirs == sha.digest()
    print("sent %d bytes, sha256 %s, server %s, retransmitted %d segments, mss %d, options %s, wscale %d/%d"
          % (n, sha.hexdigest(), "MATCH" if ok else "MISMATCH " + theirs.hex(), retrans, mss,
             ",".join(opts) or "none", info[6] & 0xF, info[6] >> 4))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]), *sys.argv[3:4])
    else:
        client(sys.argv[2], int(sys.argv[3]), size(sys.argv[4]))
