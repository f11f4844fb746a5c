"""The README's first command, minus the install: `opendtm demo` in a fresh data folder.

Both tests assess one site per LGA (--sites-per-lga 1), a quicker demo with all its parts;
tests/tracking/test_demo.py looks at the tracking rounds in detail.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from opendtm.accounts.models import AuditEvent, Membership, User
from opendtm.collection.models import Form, Submission
from opendtm.geo.models import AdminArea, Site, SiteAreaMatch
from opendtm.tracking.models import Figure, Round, RoundRevision, ValidationIssue

OPENDTM = [sys.executable, "-m", "opendtm.cli"]
SMALL = ["--sites-per-lga", "1"]


def counts():
    models = [AdminArea, Site, SiteAreaMatch, User, Membership]
    tracking = [Form, Submission, Round, RoundRevision, Figure, ValidationIssue]
    return {model.__name__: model.objects.count() for model in models + tracking}


@pytest.mark.django_db(transaction=True)  # the demo commits as a live server does
def test_the_demo_twice_duplicates_nothing(capsys):
    call_command("demo", "--no-serve", *SMALL)
    first = capsys.readouterr().out
    after_first = counts()
    call_command("demo", "--no-serve", *SMALL)
    second = capsys.readouterr().out
    assert counts() == after_first
    assert after_first["AdminArea"] == 1 + 37 + 774
    assert AdminArea.objects.filter(level=2, geometry__isnull=False).count() == 27
    assert after_first["Site"] == 136 + 2  # two camps open in round 3
    assert after_first["Form"] == 2
    assert after_first["Round"] == 12
    assert after_first["RoundRevision"] == 13  # one round corrected
    assert "password" in first
    assert "password:" not in second
    assert "Mobility tracking: 12 rounds" in first
    assert (
        AuditEvent.objects.filter(action="create", object_type="accounts.membership").count() == 6
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_demo_command_loads_then_serves(tmp_path: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["OPENDTM_DATA_DIR"] = str(tmp_path / "data")
    first = subprocess.run(
        [*OPENDTM, "demo", "--no-serve", *SMALL],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    password = re.search(r"the password: (\S+)", first.stdout)
    assert password, first.stdout
    assert "Mobility tracking: 12 rounds" in first.stdout
    assert (tmp_path / "data" / "opendtm.sqlite3").exists()
    assert oct((tmp_path / "data" / "secret_key").stat().st_mode & 0o777) == "0o600"

    port = free_port()
    server = subprocess.Popen(
        [*OPENDTM, "demo", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = wait_for(f"http://127.0.0.1:{port}/login/")
        assert "Sign in" in page
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "password:" not in output  # shown on the first run only
    assert "admin areas added" in output


def wait_for(url: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
