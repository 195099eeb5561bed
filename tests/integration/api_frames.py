#!/usr/bin/env python3
"""Bad input against a running csa-primaryd, over raw TLS frames.

    api_frames.py DIR FOREIGN_DIR HOST:PORT

DIR holds the cluster's CA and admin certificate; FOREIGN_DIR another
cluster's. Prints "ok - ..." / "not ok - ..." lines; exit 1 on any failure.
"""
import json
import socket
import ssl
import struct
import sys

DIR, FOREIGN, ADDR = sys.argv[1:4]
HOST, PORT = ADDR.rsplit(":", 1)
failures = 0


def check(what, cond):
    global failures
    print(("ok - " if cond else "not ok - ") + what)
    failures += not cond


def connect(cert_dir=DIR, who="admin", ca_dir=DIR):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False
    ctx.load_verify_locations(ca_dir + "/ca/ca.crt")
    if cert_dir:
        ctx.load_cert_chain(f"{cert_dir}/{who}.crt", f"{cert_dir}/{who}.key")
    raw = socket.create_connection((HOST, int(PORT)), timeout=10)
    return ctx.wrap_socket(raw)


def send_raw(s, payload):
    s.sendall(struct.pack(">I", len(payload)) + payload)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def recv(s):
    n = struct.unpack(">I", recv_exact(s, 4))[0]
    return json.loads(recv_exact(s, n))


def call(s, obj):
    send_raw(s, json.dumps(obj).encode())
    return recv(s)


def refused(cert_dir, who="admin"):
    """True if the primary will not answer this client at all."""
    try:
        s = connect(cert_dir, who)
        send_raw(s, b'{"op": "status", "id": 1}')
        recv(s)
        return False
    except (ssl.SSLError, EOFError, ConnectionError, OSError):
        return True


def error_code(reply):
    return reply.get("error", {}).get("code")


def main():
    check("a client without a certificate is refused at the handshake",
          refused(None))
    check("a client with a certificate of another cluster's CA is refused",
          refused(FOREIGN))

    s = connect()
    before = call(s, {"op": "status", "id": 1})["result"]["generation"]
    send_raw(s, b"{not json")
    check("malformed JSON gets bad_json", error_code(recv(s)) == "bad_json")
    send_raw(s, b"[1, 2]")
    check("a frame that is not an object gets bad_json",
          error_code(recv(s)) == "bad_json")
    check("a request without an id gets bad_request",
          error_code(call(s, {"op": "status"})) == "bad_request")
    r = call(s, {"op": "frobnicate", "id": 2})
    check("an unknown op gets unknown_op", error_code(r) == "unknown_op")
    r = call(s, {"op": "status", "id": 3, "extra": 1})
    check("an unknown field gets bad_request naming it",
          error_code(r) == "bad_request" and "extra" in r["error"]["message"])
    r = call(s, {"op": "volume.create", "id": 4, "name": "x", "size": "big"})
    check("a size given as a string gets bad_request naming size",
          error_code(r) == "bad_request" and "size" in r["error"]["message"])
    r = call(s, {"op": "volume.create", "id": 5, "name": "x", "size": -1})
    check("a negative size gets bad_request", error_code(r) == "bad_request")
    r = call(s, {"op": "volume.create", "id": 6, "name": "x",
                 "size": 2**63 - 1})
    check("an absurd size (2^63-1) gets bad_request",
          error_code(r) == "bad_request")
    r = call(s, {"op": "volume.create", "id": 7, "name": "x"})
    check("a missing size gets bad_request saying so",
          error_code(r) == "bad_request" and "size" in r["error"]["message"])
    r = call(s, {"op": "volume.create", "id": 8, "name": "x", "size": 1 << 20,
                 "copies": 0})
    check("zero copies gets bad_request", error_code(r) == "bad_request")
    r = call(s, {"op": "array.add", "id": 9, "name": "x", "portal": 7,
                 "target": "t"})
    check("a portal given as a number gets bad_request",
          error_code(r) == "bad_request")
    r = call(s, {"op": "volume.show", "id": 10, "name": "nope"})
    check("an unknown volume gets not_found", error_code(r) == "not_found")
    r = call(s, {"op": "status", "id": 11})
    check("the connection goes on after all of that", "result" in r)

    s.sendall(struct.pack(">I", 16 << 20) + b"x" * 1024)
    r = recv(s)
    check("a frame over 1 MiB gets frame_too_large",
          error_code(r) == "frame_too_large")
    try:
        recv(s)
        closed = False
    except (EOFError, ssl.SSLError, ConnectionError, OSError):
        closed = True
    check("... and that connection is closed", closed)

    s2 = connect()
    after = call(s2, {"op": "status", "id": 1})["result"]["generation"]
    check("another client is served, and the catalog is unchanged "
          f"(generation {before} -> {after})", before == after)
    host = connect(DIR, "h1")
    r = call(host, {"op": "array.add", "id": 1, "name": "y",
                    "portal": "127.0.0.1:1", "target": "iqn.x:y"})
    check("a host certificate may not add arrays (forbidden)",
          error_code(r) == "forbidden")
    r = call(host, {"op": "volume.create", "id": 2, "name": "y",
                    "size": 1 << 20, "hosts": ["someone-else"]})
    check("nor create a volume for other hosts (forbidden)",
          error_code(r) == "forbidden")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
