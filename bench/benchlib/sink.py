"""A Logstash stand-in for the benchmark: accepts TCP connections on loopback and reads and
discards what arrives, so cppapp's shipper sends every record as it does to a real Logstash and
the cost measured is cppapp's own (formatting and writing), not the receiver's."""

import socket
import threading


class DiscardingSink:
    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._drain, args=(connection,), daemon=True).start()

    @staticmethod
    def _drain(connection):
        with connection:
            while connection.recv(1 << 16):
                pass

    def close(self):
        self.listener.close()
