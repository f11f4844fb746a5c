"""A form version's media files: names devices can store, blobs, and what a new version gets.

A version expects the files its XForm refers to (a select_one_from_file CSV, images). They
come with the upload, are generated (itemsets.csv, from the external_choices sheet), are kept
from the version before, or are added later with `form_media_add` (services/forms.py).
"""

import mimetypes
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from opendtm.accounts.services.audit import snapshot
from opendtm.collection.blobs import BlobRef, blob_store_bytes
from opendtm.collection.models import FormMedia, FormUpload, FormVersion
from opendtm.core.errors import ApplicationError
from opendtm.core.tables import check_upload_size

ITEMSETS = "itemsets.csv"
MEDIA_FIELDS = ["filename", "sha256", "md5", "size", "content_type"]


def media_name_check(name: str) -> str:
    """A file name devices can store beside the form: no folders, no way out of them."""
    cleaned = name.strip()
    if (
        not cleaned
        or "/" in cleaned
        or "\\" in cleaned
        or ".." in cleaned
        or "\x00" in cleaned
        or cleaned.startswith(".")
        or len(cleaned) > 255
    ):
        raise ApplicationError(
            _("'%(name)s' cannot be the name of a form's media file.") % {"name": name},
            hint=_(
                "Use the plain file name the form refers to, such as sites.csv or logo.png, "
                "without folders or '..'."
            ),
        )
    return cleaned


def media_content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def store_file(name: str, data: bytes) -> BlobRef:
    check_upload_size(name, len(data))
    return blob_store_bytes(data, name=name, max_size=settings.OPENDTM_MAX_UPLOAD_BYTES)


def media_fields(ref: BlobRef, content_type: str) -> dict[str, Any]:
    """A stored file's fields as an upload's media entry and a FormMedia row keep them."""
    return {"sha256": ref.sha256, "md5": ref.md5, "size": ref.size, "content_type": content_type}


def media_for_version(
    upload: FormUpload,
    version: FormVersion,
    previous: FormVersion | None,
    itemsets: str | None,
    warnings: list[str],
) -> None:
    """The files the version expects: uploaded now, generated, or kept from the last version."""
    uploaded = {item["filename"]: item for item in upload.media}
    earlier = {media.filename: media for media in previous.media.all()} if previous else {}
    rows, missing = [], []
    item: dict[str, Any]
    for name in version.media_expected:
        if name == ITEMSETS and itemsets is not None:
            if name in uploaded:
                warnings.append(
                    _(
                        "itemsets.csv was made from the XLSForm's external_choices sheet; the "
                        "uploaded itemsets.csv was not used."
                    )
                )
            item = media_fields(blob_store_bytes(itemsets.encode("utf-8"), name=name), "text/csv")
        elif name in uploaded:
            item = uploaded[name]
        elif name in earlier:
            item = snapshot(earlier[name], MEDIA_FIELDS)
            warnings.append(
                _("%(name)s was kept from version %(version)s.")
                % {"name": name, "version": previous.version if previous else ""}
            )
        else:
            missing.append(name)
            continue
        rows.append(
            FormMedia(
                version=version,
                filename=name,
                sha256=item["sha256"],
                md5=item["md5"],
                size=item["size"],
                content_type=item["content_type"],
            )
        )
    FormMedia.objects.bulk_create(rows)
    unused = sorted(set(uploaded) - set(version.media_expected))
    if unused:
        warnings.append(
            _("%(names)s: the form does not use these files, so they were not kept.")
            % {"names": ", ".join(unused)}
        )
    if missing:
        warnings.append(
            _(
                "The form uses files not uploaded yet: %(names)s. Add them on the form's page; "
                "until then devices get the form without them."
            )
            % {"names": ", ".join(missing)}
        )
