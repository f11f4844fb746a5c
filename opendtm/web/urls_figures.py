"""Figures pages and the form mapping editor, inside an operation's URLs."""

from django.urls import URLPattern, path

from opendtm.web.views.figures import round_figures
from opendtm.web.views.mapping import form_mapping

urlpatterns: list[URLPattern] = [
    path("rounds/<str:assessment_type>/<int:number>/figures/", round_figures, name="round-figures"),
    # More specific than forms/<form_id>/ of urls_forms, so the order of includes is free.
    path("forms/<str:form_id>/mapping/", form_mapping, name="form-mapping"),
]
