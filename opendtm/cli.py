"""The `opendtm` command: Django's management commands, plus `opendtm demo`.

`opendtm demo` needs no configuration, so before Django loads its settings it gives the
demo a data folder, DEBUG and a secret key kept in that folder.
"""

import os
import secrets
import sys
from pathlib import Path


def prepare_demo_environment() -> None:
    data_dir = Path(os.environ.get("OPENDTM_DATA_DIR", "opendtm-data")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    os.environ["OPENDTM_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("SECRET_KEY", key_file.read_text().strip())
    os.environ.setdefault("DEBUG", "1")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "opendtm"
    if len(argv) > 1 and argv[1] == "demo":
        prepare_demo_environment()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendtm.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
