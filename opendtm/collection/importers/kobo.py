"""Import from a KoboToolbox asset through its REST v2 API (token authentication).

Kobo's API, as used here:
- GET /api/v2/assets/{uid}/?format=json: the asset (name, deployment);
- GET /api/v2/assets/{uid}/?format=xml: its XForm (the asset's snapshot);
- GET /api/v2/assets/{uid}/data/?format=json&start=&limit=: the submissions, paged by `next`,
  each with `_id` and `_attachments` (`filename`, `mimetype`, `download_url`);
- GET /api/v2/assets/{uid}/data/{_id}/?format=xml: one submission's XML;
- each attachment's `download_url`.

Kobo keeps only the latest XML of an edited submission, whose meta/deprecatedID names a
version it does not return. When that version is unknown here, the deprecatedID element is
removed before the XML is re-fed, so the submission arrives as new, with its latest answers;
a later edit in Kobo, imported again, then arrives as an edit. Submissions of a form version
other than the asset's current one are refused by the ingest (the version is unknown here)
and listed in the summary: upload that version's XForm or XLSForm, then import again.
"""

import posixpath
from collections.abc import Iterator
from typing import Any

import requests
from django.utils.translation import gettext as _

from opendtm.accounts.models import Operation, User
from opendtm.collection.blobs import CHUNK
from opendtm.collection.importers.common import (
    ImportSummary,
    form_kind_check,
    form_version_ensure,
    submission_feed,
)
from opendtm.collection.models import Form, SubmissionVersion
from opendtm.collection.services.edits import serialise
from opendtm.collection.services.submissions import IncomingFile
from opendtm.collection.xform import XmlError, instance_meta, local, parse_xml
from opendtm.core.errors import ApplicationError

USER_AGENT = "opendtm import from KoboToolbox"
PAGE_LIMIT = 1000
TIMEOUT = 120


class Kobo:
    def __init__(self, session: requests.Session, base_url: str, asset_uid: str) -> None:
        self.session = session
        self.base = base_url.rstrip("/")
        self.asset = f"{self.base}/api/v2/assets/{asset_uid}/"

    def get(self, url: str, **params: Any) -> requests.Response:
        response = self.session.get(url, params=params or None, timeout=TIMEOUT)
        if response.status_code != 200:
            raise ApplicationError(
                _("KoboToolbox answered %(status)d to %(url)s.")
                % {"status": response.status_code, "url": url},
                hint=_("Check the server URL, the asset UID and the API token."),
            )
        return response

    def xform(self) -> str:
        return self.get(self.asset, format="xml").text

    def submissions(self) -> Iterator[dict[str, Any]]:
        url: str | None = f"{self.asset}data/"
        params: dict[str, Any] = {"format": "json", "start": 0, "limit": PAGE_LIMIT}
        while url:
            page = self.get(url, **params).json()
            yield from page.get("results", [])
            url, params = page.get("next"), {}

    def submission_xml(self, number: int) -> bytes:
        return self.get(f"{self.asset}data/{number}/", format="xml").content

    def files(self, row: dict[str, Any]) -> list[IncomingFile]:
        return [
            IncomingFile(
                name=posixpath.basename(item.get("filename") or ""),
                content_type=item.get("mimetype") or "application/octet-stream",
                chunks=self.file_chunks(item["download_url"]),
            )
            for item in row.get("_attachments") or []
            if item.get("download_url") and item.get("filename")
        ]

    def file_chunks(self, url: str) -> Iterator[bytes]:
        with self.session.get(url, stream=True, timeout=TIMEOUT) as response:
            if response.status_code != 200:
                raise ApplicationError(
                    _("KoboToolbox answered %(status)d to %(url)s.")
                    % {"status": response.status_code, "url": url}
                )
            yield from response.iter_content(CHUNK)


def kobo_session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Authorization": f"Token {token}", "User-Agent": USER_AGENT})
    return session


def without_unknown_deprecated_id(xml: bytes, operation: Operation) -> bytes:
    """The XML as it is, or without a deprecatedID naming a version that is not here."""
    try:
        root = parse_xml(xml)
    except XmlError:
        return xml  # the ingest refuses it with its own message
    meta = instance_meta(root)
    if not meta.deprecated_id:
        return xml
    known = SubmissionVersion.objects.filter(
        form__operation=operation, form__form_id=meta.form_id, instance_id=meta.deprecated_id
    ).exists()
    if known:
        return xml
    for block in root:
        if local(block.tag) == "meta":
            for element in list(block):
                if local(element.tag) == "deprecatedID":
                    block.remove(element)
    return serialise(root)


def kobo_import(
    *,
    actor: User,
    operation: Operation,
    session: requests.Session,
    base_url: str,
    asset_uid: str,
    kind: str = Form.Kind.OTHER,
) -> ImportSummary:
    """Publish the asset's XForm here, then re-feed every submission's XML and files."""
    form_kind_check(kind)
    kobo = Kobo(session, base_url, asset_uid)
    summary = ImportSummary(source=f"KoboToolbox asset {asset_uid}")
    kobo.get(kobo.asset, format="json")  # the asset exists and the token may read it
    form_version_ensure(
        actor=actor, operation=operation, xform=kobo.xform(), kind=kind, summary=summary
    )
    for row in kobo.submissions():
        number = row["_id"]
        xml = without_unknown_deprecated_id(kobo.submission_xml(number), operation)
        submission_feed(
            actor=actor,
            operation=operation,
            xml=xml,
            files=kobo.files(row),
            label=str(row.get("meta/instanceID") or row.get("_uuid") or number),
            device_id="",
            user_agent=USER_AGENT,
            summary=summary,
        )
    return summary
