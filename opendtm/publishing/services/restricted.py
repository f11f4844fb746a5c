"""The restricted download for protection partners: every indicator, nothing blanked.

Only users holding the protection capability in the round's operation get it (not even a
superuser otherwise), and every download is recorded in the audit log as a read of protection
data: who, which round, revision, level and format. The file is written for the request, in
memory, and never cached: protection figures do not sit on the server's disk.
"""

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from opendtm.accounts.models import User
from opendtm.accounts.roles import Capability
from opendtm.accounts.selectors.operations import require
from opendtm.accounts.services.audit import audit_read
from opendtm.publishing.exports.columns import LEVELS, file_columns, table_rows
from opendtm.publishing.exports.files import CONTENT_TYPES, write_file
from opendtm.publishing.selectors.tables import Audience, table
from opendtm.publishing.services.exports import check_choice, file_name
from opendtm.tracking.models import Round

AUDIT_KIND = "publishing.protection_table"


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    content_type: str


def protection_file(*, user: User, round: Round, level: str, format: str) -> Download:
    require(user=user, operation=round.operation, capability=Capability.VIEW_PROTECTION)
    check_choice(round, level, format)
    found = table(round, LEVELS[level], audience=Audience.PROTECTION)
    columns = file_columns(
        round.operation, found.level, found.indicators, [found.revision], Audience.PROTECTION
    )
    notes = [
        _(
            "Restricted: protection figures of %(round)s (revision %(revision)d), for the "
            "protection partners of %(operation)s only. Do not share or publish this file."
        )
        % {"round": round, "revision": found.revision.number, "operation": round.operation.name}
    ]
    buffer = io.BytesIO()
    write_file(buffer, format, columns, table_rows(found, columns), notes)
    audit_read(
        actor=user,
        operation=round.operation,
        kind=AUDIT_KIND,
        object_id=str(found.revision.pk),
        note=f"{level} {format} of {round}, revision {found.revision.number}",
    )
    return Download(
        buffer.getvalue(),
        file_name(round, f"{level}-restricted", format),
        CONTENT_TYPES[format],
    )
