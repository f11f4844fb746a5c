"""The publishing benchmark's HTTP steps, in a child process without Django: a consumer asking
a live opendtm server for one country's admin 2 IDP records over every round.

    DTMAPI_SUBSCRIPTION_KEY=... python -m bench.publishing_client STEP --url URL \
        --country NAME --out FOLDER [--repeats N]

- api-dtmapi: IOM's own client, dtmapi (DTMApi.get_idp_admin2_data), its endpoint URLs pointed
  at the server as tests/publishing/api/test_dtmapi_client.py does; its DataFrame is kept in
  FOLDER/api.csv for the checks;
- api-requests: a plain requests GET of the same URL with the same key, the JSON decoded: the
  server's and the network's share, without the client's own work.
"""

import argparse
import os
from functools import partial
from pathlib import Path
from typing import Any

import dtmapi.api
import requests
from dtmapi import DTMApi

from bench.publishing_measure import emit, measured

KEY_VARIABLE = DTMApi.ENV_KEY_NAME  # where dtmapi reads its key; the requests step too
HEADER = "Ocp-Apim-Subscription-Key"
TIMEOUT = 1800  # seconds: one request reads every round's table
ENDPOINTS = {
    "IDP_ADMIN_0_API": "admin0",
    "IDP_ADMIN_1_API": "admin1",
    "IDP_ADMIN_2_API": "admin2",
    "COUNTRY_LIST_API": "country-list",
    "OPERATION_LIST_API": "operation-list",
}


def dtmapi_step(url: str, country: str, out: Path, repeats: int) -> dict[str, Any]:
    for constant, path in ENDPOINTS.items():
        setattr(dtmapi.api, constant, f"{url}/v3/displacement/{path}")
    client = DTMApi(timeout=TIMEOUT, max_retries=0)
    frame, result = measured(partial(client.get_idp_admin2_data, CountryName=country), repeats)
    frame.to_csv(out / "api.csv", index=False)
    return {**result, "records": len(frame)}


def requests_step(url: str, country: str, out: Path, repeats: int) -> dict[str, Any]:
    def get() -> list[dict[str, Any]]:
        response = requests.get(
            f"{url}/v3/displacement/admin2",
            params={"CountryName": country},
            headers={HEADER: os.environ[KEY_VARIABLE]},
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        return response.json()["result"]

    records, result = measured(get, repeats)
    return {**result, "records": len(records)}


STEPS = {"api-dtmapi": dtmapi_step, "api-requests": requests_step}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("--url", required=True)
    parser.add_argument("--country", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    emit(STEPS[args.step](args.url, args.country, args.out, args.repeats))


if __name__ == "__main__":
    main()
