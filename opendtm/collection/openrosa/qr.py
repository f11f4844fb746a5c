"""QR codes that configure ODK Collect: its settings JSON, zlib-deflated, then base64.

Collect's "Configure with QR code" reads exactly this, as ODK Central's QR codes do:
{"general": {"server_url": ..., "form_update_mode": "match_exactly", "autosend":
"wifi_and_cellular"}, "admin": {}, "project": {"name": ...}}. For a user's own phone the
username is set too, never the password: they type it once on the phone.
"""

import base64
import json
import re
import zlib
from typing import Any

import qrcode
import qrcode.image.svg
from django.utils.html import escape


def collect_settings(*, server_url: str, project_name: str, username: str = "") -> dict[str, Any]:
    general: dict[str, Any] = {
        "server_url": server_url,
        "form_update_mode": "match_exactly",
        "autosend": "wifi_and_cellular",
    }
    if username:
        general["username"] = username
    return {"general": general, "admin": {}, "project": {"name": project_name}}


def settings_payload(settings: dict[str, Any]) -> str:
    """What the QR code holds: base64 of the zlib-deflated JSON."""
    compact = json.dumps(settings, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.b64encode(zlib.compress(compact, 9)).decode("ascii")


def payload_settings(payload: str) -> dict[str, Any]:
    """The reverse, as Collect does it when it scans the code."""
    return json.loads(zlib.decompress(base64.b64decode(payload)))


def qr_svg(text: str, *, label: str = "") -> str:
    """An inline SVG QR code of `text`; it scales to its container, on white."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{escape(label)}" style="background:#fff;width:100%;height:auto" ',
        1,
    )
