"""A round's situation report, inside an operation's URLs: POST /ops/<slug>/rounds/<type>/
<number>/report.pdf answers with the PDF."""

from django.urls import URLPattern, path

from opendtm.web.urls_rounds import ROUND
from opendtm.web.views import round_report

urlpatterns: list[URLPattern] = [
    path(f"{ROUND}report.pdf", round_report.round_report_view, name="round-report"),
]
