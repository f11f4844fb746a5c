"""opendtm situation_report: a published round's report written to a PDF file."""

import pytest
from django.core.management import CommandError, call_command

from tests.publishing.reports.conftest import pdf_text


def test_the_command_writes_the_report(rounds, manager, tmp_path, capsys):
    out = tmp_path / "nga-ne-2.pdf"
    call_command(
        "situation_report", "nga-ne", "SA", "2", "--user", "manager", "--language", "en",
        "--out", str(out),
    )  # fmt: skip
    assert f"{out}:" in capsys.readouterr().out
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "DISPLACEMENT SITUATION REPORT Nigeria North-East" in text
    assert "+17 (+19%) since round 1" in text


def test_the_command_names_the_file_after_the_round(rounds, manager, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("situation_report", "nga-ne", "SA", "1", "--user", "manager")
    assert (tmp_path / "nga-ne-sa-round-1-en.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nga-ne", "SA", "2", "--user", "nobody"], "No active user 'nobody'"),
        (["nga-ne", "SA", "2", "--user", "viewer"], "does not allow this"),
        (["nga-ne", "SA", "9", "--user", "manager"], "No SA round 9"),
        (["sdn", "SA", "2", "--user", "manager"], "No operation 'sdn'"),
    ],
)
def test_the_command_refuses_clearly(rounds, viewer, other_operation, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("situation_report", *arguments)


def test_a_round_not_yet_published_has_no_report(rounds, manager):
    from tests.tracking.conftest import month_round

    month_round(manager, rounds[1].operation, 3)
    with pytest.raises(CommandError, match="no published figures"):
        call_command("situation_report", "nga-ne", "SA", "3", "--user", "manager")
