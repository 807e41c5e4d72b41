"""A stand-in for Logstash's tcp input with the json_lines codec: accepts connections on a
loopback port and appends every complete line it reads to a file, flushed line by line.

    python3 log_receiver.py OUTPUT_FILE [PORT] [--slow] [--bind ADDRESS]

--bind listens on ADDRESS instead of 127.0.0.1 (0.0.0.0 in a container of the engine tests).
--slow reads about 400 KB/s through a 64 KiB receive buffer, so that when it is killed its
kernel buffer is full of events it never read (what a dying Logstash loses).

Prints "listening <port>" once it accepts connections (the tests' readiness signal).
"""

import os
import socket
import sys
import threading
import time


def serve_connection(conn, output, lock, slow):
    pending = b""
    with conn:
        while True:
            if slow:
                time.sleep(0.01)
            try:
                chunk = conn.recv(4096 if slow else 65536)
            except OSError:
                return
            if not chunk:
                return
            pending += chunk
            *lines, pending = pending.split(b"\n")
            if lines:
                with lock:
                    output.write(b"".join(line + b"\n" for line in lines))
                    output.flush()


def main():
    path = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    slow = "--slow" in sys.argv[3:]
    bind = sys.argv[sys.argv.index("--bind") + 1] if "--bind" in sys.argv[3:] else "127.0.0.1"
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if slow:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    listener.bind((bind, port))
    listener.listen(16)
    lock = threading.Lock()
    with open(path, "ab", buffering=0) as output:
        print("listening %d" % listener.getsockname()[1], flush=True)
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve_connection, args=(conn, output, lock, slow), daemon=True).start()


if __name__ == "__main__":
    main()
