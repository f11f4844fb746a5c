"""Import from ODK Central with pyodk: every published form version, every submission with
all its versions (original first, then each edit) and their attachments.

Central's REST API, as used here (paths relative to /v1/):
- projects/{p}/forms/{f}/versions: the published versions, with publishedAt;
- projects/{p}/forms/{f}/versions/{v}.xml: one version's XForm;
- projects/{p}/forms/{f}/submissions (pyodk `submissions.list`): the submissions;
- projects/{p}/forms/{f}/submissions/{id}/versions: a submission's versions, with createdAt;
- .../versions/{instanceId}.xml: a version's XML as received;
- .../versions/{instanceId}/attachments and .../attachments/{name}: its files.
Versions are re-fed oldest first, so each edit's deprecatedID names a version already here.
"""

import logging
import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyodk._utils.config import CentralConfig, Config
from pyodk.client import Client

from opendtm.accounts.models import Operation, User
from opendtm.collection.blobs import CHUNK
from opendtm.collection.importers.common import (
    ImportSummary,
    form_kind_check,
    form_version_ensure,
    submission_feed,
)
from opendtm.collection.models import Form
from opendtm.collection.services.submissions import IncomingFile

logger = logging.getLogger(__name__)
USER_AGENT = "opendtm import from ODK Central"


def central_client(
    *, base_url: str, username: str, password: str, project_id: int, cache_path: Path
) -> Client:
    """A pyodk client from settings in memory; the session token is cached in cache_path."""
    config = Config(
        central=CentralConfig(
            base_url=base_url, username=username, password=password, default_project_id=project_id
        )
    )
    return Client(config=config, cache_path=cache_path, project_id=project_id)


class Central:
    """The few Central calls the import makes, through an open pyodk client."""

    def __init__(self, client: Client, project_id: int, form_id: str) -> None:
        self.client = client
        self.project_id = project_id
        self.form_id = form_id

    def url(self, template: str, **values: Any) -> str:
        form = "projects/{project_id}/forms/{form_id}"
        return self.client.session.urlformat(
            form + template, project_id=self.project_id, form_id=self.form_id, **values
        )

    def get(self, template: str, **values: Any) -> Any:
        return self.client.session.response_or_error(
            method="GET", url=self.url(template, **values), logger=logger
        )

    def form_xmls(self) -> list[str]:
        versions = self.get("/versions").json()
        versions.sort(key=lambda item: item.get("publishedAt") or "")
        return [
            self.get("/versions/{version}.xml", version=item["version"]).text for item in versions
        ]

    def submissions(self) -> list[Any]:
        listed = self.client.submissions.list(form_id=self.form_id, project_id=self.project_id)
        return sorted(listed, key=lambda item: item.createdAt)

    def versions(self, instance_id: str) -> list[dict[str, Any]]:
        found = self.get("/submissions/{iid}/versions", iid=instance_id).json()
        return sorted(found, key=lambda item: item.get("createdAt") or "")

    def version_xml(self, instance_id: str, version_id: str) -> bytes:
        return self.get(
            "/submissions/{iid}/versions/{vid}.xml", iid=instance_id, vid=version_id
        ).content

    def files(self, instance_id: str, version_id: str) -> list[IncomingFile]:
        listed = self.get(
            "/submissions/{iid}/versions/{vid}/attachments", iid=instance_id, vid=version_id
        ).json()
        return [
            IncomingFile(
                name=item["name"],
                content_type=mimetypes.guess_type(item["name"])[0] or "application/octet-stream",
                chunks=self.file_chunks(instance_id, version_id, item["name"]),
            )
            for item in listed
            if item.get("exists")
        ]

    def file_chunks(self, instance_id: str, version_id: str, name: str) -> Iterator[bytes]:
        url = self.url(
            "/submissions/{iid}/versions/{vid}/attachments/{name}",
            iid=instance_id,
            vid=version_id,
            name=name,
        )
        with self.client.session.response_or_error(
            method="GET", url=url, logger=logger, stream=True
        ) as response:
            yield from response.iter_content(CHUNK)


def central_import(
    *,
    actor: User,
    operation: Operation,
    client: Client,
    project_id: int,
    form_id: str,
    kind: str = Form.Kind.OTHER,
) -> ImportSummary:
    """Publish the form's versions here, then re-feed every submission version."""
    form_kind_check(kind)
    central = Central(client, project_id, form_id)
    summary = ImportSummary(source=f"ODK Central project {project_id}, form {form_id}")
    for xform in central.form_xmls():
        form_version_ensure(
            actor=actor, operation=operation, xform=xform, kind=kind, summary=summary
        )
    for submission in central.submissions():
        for version in central.versions(submission.instanceId):
            version_id = version["instanceId"]
            submission_feed(
                actor=actor,
                operation=operation,
                xml=central.version_xml(submission.instanceId, version_id),
                files=central.files(submission.instanceId, version_id),
                label=version_id,
                device_id=version.get("deviceId") or "",
                user_agent=f"{USER_AGENT} ({version.get('userAgent') or 'unknown client'})",
                summary=summary,
            )
    return summary
