"""The throughput baseline: a WSGI app that only makes each request body durable.

It reads the body, appends it to one file, fsyncs, and answers 201: the least any server
must do to acknowledge a submission safely, with no framework, parsing or database. Served by
the same gunicorn settings as opendtm, it shows how close opendtm gets to this machine's limit.
"""

import os
from collections.abc import Callable, Iterable

PATH = os.environ["BASELINE_FILE"]  # set by bench.submissions to a fresh temporary folder
descriptor = os.open(PATH, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length)
    os.write(descriptor, body)
    os.fsync(descriptor)
    start_response("201 Created", [("Content-Type", "text/xml"), ("X-OpenRosa-Version", "1.0")])
    return [b"<OpenRosaResponse/>"]
