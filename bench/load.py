"""A closed-loop load client: N clients, each posting one submission after another.

Clients are threads spread over a few processes (the GIL would cap one process), each with
its own connection. Every request carries a fresh instanceID, so each one is a new
submission. Latency is measured per request, from send to full response.
"""

import http.client
import multiprocessing
import socket
import threading
import time
import uuid
from dataclasses import dataclass

BOUNDARY = "opendtm-bench-boundary"


def multipart(xml: bytes) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
        'filename="submission.xml"\r\nContent-Type: text/xml\r\n\r\n'
    ).encode()
    return head + xml + f"\r\n--{BOUNDARY}--\r\n".encode()


@dataclass
class LoadResult:
    clients: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]
    errors: int

    @property
    def accepted(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def connect(host: str, port: int) -> http.client.HTTPConnection:
    """A connection that sends each request at once (no Nagle delay on small writes)."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.connect()
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def client_loop(host: str, port: int, path: str, template: bytes, until: float, out: list) -> None:
    """One client: POST until the deadline; record (latency, status) or an error."""
    marker = template[template.index(b"<instanceID>") + 12 : template.index(b"</instanceID>")]
    connection = connect(host, port)
    headers = {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "X-OpenRosa-Version": "1.0",
        "User-Agent": "opendtm-bench",
    }
    while time.monotonic() < until:
        body = multipart(template.replace(marker, f"uuid:{uuid.uuid4()}".encode()))
        started = time.monotonic()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            out.append((time.monotonic() - started, response.status))
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = connect(host, port)
        except (OSError, http.client.HTTPException):
            out.append((time.monotonic() - started, -1))
            connection.close()
            connection = connect(host, port)


def process_main(args: tuple) -> list:
    host, port, path, template, threads, until = args
    results: list = []
    workers = [
        threading.Thread(target=client_loop, args=(host, port, path, template, until, results))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def run_load(
    host: str, port: int, path: str, template: bytes, clients: int, seconds: float
) -> LoadResult:
    processes = min(clients, 4)
    shares = [
        clients // processes + (1 if index < clients % processes else 0)
        for index in range(processes)
    ]
    until = time.monotonic() + seconds
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        chunks = pool.map(
            process_main, [(host, port, path, template, share, until) for share in shares]
        )
    results = [item for chunk in chunks for item in chunk]
    statuses: dict[int, int] = {}
    for _latency, status in results:
        statuses[status] = statuses.get(status, 0) + 1
    return LoadResult(
        clients=clients,
        seconds=seconds,
        latencies=[latency for latency, status in results if status == 201],
        statuses=statuses,
        errors=sum(count for status, count in statuses.items() if status != 201),
    )
