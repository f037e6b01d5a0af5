"""A stand-in site for the deadline, cap and starvation tests: a tiny threaded HTTP server on 127.0.0.1 whose
answer a test sets, including how slowly it is sent (one byte every ``drip`` seconds, headers and body alike).

    site = StandInSite(drip=0.3).start()     # every answer is dripped, status line first
    site.base_url                            # http://127.0.0.1:<port>
    site.in_flight                           # requests being answered right now
    site.stop()
"""

import socket
import threading
import time


class StandInSite:
    def __init__(self, *, status=200, headers=None, body=b"", drip=None, drip_head=True, delay=0.0):
        self.status = status
        self.headers = list(headers or [("Content-Type", "text/html; charset=UTF-8")])
        self.body = body
        self.drip = drip  # seconds between bytes; None sends at once
        self.drip_head = drip_head  # drip the status line and headers too (else only the body)
        self.delay = delay  # seconds before the first byte
        self.requests = []  # raw request bytes, in arrival order
        self.in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._thread = None

    @property
    def port(self):
        return self._listener.getsockname()[1]

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self._thread = threading.Thread(target=self._serve, name="stand-in-site", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._listener.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _serve(self):
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _read_request(self, conn):
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
        return head + b"\r\n\r\n" + rest

    def _send(self, conn, data, drip):
        if not drip:
            conn.sendall(data)
            return
        for i in range(len(data)):
            if self._stopping.wait(drip):
                return
            conn.sendall(data[i : i + 1])

    def _answer(self, conn):
        with self._lock:
            self.in_flight += 1
        try:
            with conn:
                request = self._read_request(conn)
                with self._lock:
                    self.requests.append(request)
                if self.delay and self._stopping.wait(self.delay):
                    return
                lines = [f"HTTP/1.1 {self.status} Answer"]
                lines += [f"{name}: {value}" for name, value in self.headers]
                lines += [f"Content-Length: {len(self.body)}", "Connection: close", "", ""]
                self._send(conn, "\r\n".join(lines).encode("latin-1"), self.drip if self.drip_head else None)
                self._send(conn, self.body, self.drip)
        except OSError:
            pass  # the client gave up: that is what the deadline tests want
        finally:
            with self._lock:
                self.in_flight -= 1

    def wait_in_flight(self, count, timeout=10.0):
        """Wait until ``count`` requests are being answered at once."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.in_flight >= count:
                return True
            time.sleep(0.02)
        return False
