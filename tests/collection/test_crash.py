"""Kill the server mid-stream: every submission that got a 201 survives, intact.

A real server (gunicorn, two workers) runs on its own database: a fresh SQLite file when the
suite runs on SQLite, a fresh PostgreSQL database when it runs on PostgreSQL (DATABASE_URL).
Client threads POST submissions, each with a photo, in a loop; the whole server process
group is killed with SIGKILL while they are sending. After a restart, every submission that
was acknowledged (201) must be there with its XML byte for byte and its photo's SHA-256, the
photo's bytes on disk included; and re-sending the ones that got no answer must succeed
(201, or 202 when the kill came after their commit but before the answer left).
"""

import hashlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 4
SENDING_SECONDS = 3.0
BOUNDARY = "crash-test-boundary"


# ---- run inside the server's environment (python -c) ---------------------------------------


def seed() -> None:
    """Create an operation, a form and an app user; print what the client needs."""
    from opendtm.accounts.models import Operation, User
    from opendtm.collection.services.app_users import app_user_create
    from tests.collection.factories_openrosa import site_form

    admin = User.objects.create_superuser("crash-admin", "crash@example.org", "crash-pass-123")
    operation = Operation.objects.create(
        name="Crash test",
        slug="crash",
        country_iso3="NGA",
        country_iso2="NG",
        country_name="Nigeria",
    )
    form = site_form(operation, created_by=admin)
    _app_user, token = app_user_create(
        actor=admin, operation=operation, name="Crash tablet", forms=[form]
    )
    print(json.dumps({"base": f"/collect/key/{token}/{operation.slug}"}))  # noqa: T201


def stored() -> None:
    """Print every stored version: its XML's SHA-256 and its files' (recorded and on disk)."""
    from opendtm.collection.blobs import blob_path
    from opendtm.collection.models import SubmissionVersion

    found = {}
    for version in SubmissionVersion.objects.prefetch_related("attachments"):
        files = {}
        for attachment in version.attachments.all():
            path = blob_path(attachment.sha256)
            on_disk = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
            files[attachment.name] = [attachment.sha256, on_disk]
        found[version.instance_id] = {
            "xml": hashlib.sha256(version.xml.encode()).hexdigest(),
            "files": files,
        }
    print(json.dumps(found))  # noqa: T201


# ---- the test ------------------------------------------------------------------------------


@dataclass
class Sent:
    instance_id: str
    xml: bytes
    photo: bytes
    status: int | None = None


def body_of(sent: Sent) -> bytes:
    def part(disposition: str, content_type: str, data: bytes) -> bytes:
        return (
            (
                f"--{BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\n"
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )

    return (
        part('name="xml_submission_file"; filename="s.xml"', "text/xml", sent.xml)
        + part('name="photo.jpg"; filename="photo.jpg"', "image/jpeg", sent.photo)
        + f"--{BOUNDARY}--\r\n".encode()
    )


def post(port: int, path: str, sent: Sent) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(
            "POST",
            path,
            body=body_of(sent),
            headers={
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "X-OpenRosa-Version": "1.0",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_python(env: dict[str, str], code: str) -> str:
    script = f"import django; django.setup(); {code}"
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def start_server(env: dict[str, str], port: int, base: str) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "opendtm.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        start_new_session=True,  # its own process group, so that one kill takes all workers
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("HEAD", f"{base}/submission", headers={"X-OpenRosa-Version": "1.0"})
            if connection.getresponse().status == 204:
                return server
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    raise AssertionError("the server did not start")


def kill(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)


@pytest.fixture
def server_env(tmp_path):
    """The environment of a server with its own data folder and database."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="opendtm.settings",
        SECRET_KEY="crash-test-secret",
        DEBUG="0",
        OPENDTM_DATA_DIR=str(tmp_path / "data"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield env
        return
    import psycopg

    name = f"opendtm_crash_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_killed_server_loses_no_acknowledged_submission(server_env):
    from tests.collection.factories_openrosa import instance

    subprocess.run(
        [sys.executable, "-m", "opendtm.cli", "migrate", "-v0"],
        env=server_env,
        cwd=ROOT,
        check=True,
        timeout=180,
    )
    base = json.loads(
        run_python(server_env, "from tests.collection.test_crash import seed; seed()")
    )["base"]
    path = f"{base}/submission"
    port = free_port()
    server = start_server(server_env, port, base)

    sent: list[Sent] = []
    lock = threading.Lock()
    killed = threading.Event()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while not killed.is_set():
            instance_id = f"uuid:{uuid.uuid4()}"
            item = Sent(
                instance_id,
                instance(instance_id=instance_id, photo="photo.jpg"),
                rng.randbytes(20_000),
            )
            with lock:
                sent.append(item)
            try:
                item.status = post(port, path, item)
            except (OSError, http.client.HTTPException):
                item.status = None

    threads = [threading.Thread(target=client, args=(index,)) for index in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(SENDING_SECONDS)
    kill(server)  # mid-stream: the clients are sending right now
    killed.set()
    for thread in threads:
        thread.join(timeout=30)

    acknowledged = [item for item in sent if item.status == 201]
    unanswered = [item for item in sent if item.status is None]
    assert acknowledged, "nothing was acknowledged before the kill"
    assert all(item.status in {201, None} for item in sent), {item.status for item in sent}

    server = start_server(server_env, port, base)
    try:
        found = json.loads(
            run_python(server_env, "from tests.collection.test_crash import stored; stored()")
        )
        for item in acknowledged:
            assert item.instance_id in found, f"acknowledged but lost: {item.instance_id}"
            record = found[item.instance_id]
            assert record["xml"] == hashlib.sha256(item.xml).hexdigest()
            photo = hashlib.sha256(item.photo).hexdigest()
            assert record["files"] == {"photo.jpg": [photo, photo]}
        resent = [post(port, path, item) for item in unanswered]
        assert set(resent) <= {201, 202}, resent
        present = len(
            json.loads(
                run_python(server_env, "from tests.collection.test_crash import stored; stored()")
            )
        )
    finally:
        kill(server)
    print(  # noqa: T201 - the counts are the point of this test
        f"\ncrash test: sent {len(sent)}, acknowledged {len(acknowledged)}, "
        f"present after restart {len([i for i in acknowledged if i.instance_id in found])} of the acknowledged "
        f"({len(found)} stored in all), unanswered {len(unanswered)} re-sent: "
        f"{resent.count(201)} created, {resent.count(202)} already there; {present} stored at the end"
    )
    assert present == len(sent)
