"""Forms of the tracking pages: rounds, issue filters and explanations, tracking settings and
an operation's own indicators."""

from typing import cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from opendtm.core.errors import ApplicationError
from opendtm.tracking.models import AssessmentType, Indicator, ValidationIssue

DATE = forms.DateInput(attrs={"type": "date"})


def show_problems(form: forms.Form, error: ApplicationError) -> None:
    """Put each problem of a refusal under the field it names; the others above the form."""
    for problem in error.problems:
        text = f"{problem.message} {problem.hint}".strip()
        form.add_error(problem.field if problem.field in form.fields else None, text)


class RoundForm(forms.Form):
    assessment_type = forms.ChoiceField(label=_("Assessment type"), choices=AssessmentType.choices)
    number = forms.IntegerField(label=_("Round number"), min_value=1, max_value=100000)
    period_start = forms.DateField(label=_("Reference period start"), widget=DATE)
    period_end = forms.DateField(label=_("Reference period end"), widget=DATE)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class RoundFilterForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Assessment type"),
        required=False,
        choices=[("", _("All types")), *AssessmentType.choices],
    )


class CorrectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=5000,
        required=False,  # the service says why an empty reason is refused
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with the new revision and shown to everyone who reads it."),
    )


class IssueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), *ValidationIssue.State.choices],
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("Any severity")), *ValidationIssue.Severity.choices],
    )
    rule = forms.ChoiceField(label=_("Rule"), required=False)

    def __init__(self, data: QueryDict | None, *, rules: list[str]) -> None:
        """The rule choices are the rules the round has issues of."""
        super().__init__(data)
        rule = cast(forms.ChoiceField, self.fields["rule"])
        rule.choices = [("", _("Any rule")), *((name, name) for name in rules)]


class ExplainForm(forms.Form):
    explanation = forms.CharField(
        label=_("Why the figure is right"),
        max_length=5000,
        required=False,  # the service says why an empty explanation is refused
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TrackingSettingsForm(forms.Form):
    age_bands = forms.CharField(
        label=_("Age bands"),
        max_length=500,
        help_text=_("Separated by commas, from 0 up, the last one open: 0-4, 5-17, 18-59, 60+"),
    )
    change_threshold_percent = forms.IntegerField(
        label=_("Change from the previous round flagged above (%)"),
        help_text=_("50 flags a place whose IDP population grew or fell by half."),
    )

    def bands(self) -> list[str]:
        return [band.strip() for band in self.cleaned_data["age_bands"].split(",")]


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=60)
    label_en = forms.CharField(label=_("Label (English)"), max_length=200)
    label_fr = forms.CharField(label=_("Label (French)"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Indicator.Category.choices)
    unit = forms.ChoiceField(label=_("Unit"), choices=Indicator.Unit.choices)
    aggregation = forms.ChoiceField(label=_("Aggregation"), choices=Indicator.Aggregation.choices)
    sensitivity = forms.ChoiceField(label=_("Sensitivity"), choices=Indicator.Sensitivity.choices)
    hxl_tag = forms.CharField(
        label=_("HXL tag"), max_length=80, required=False, help_text=_("For example #affected+idps")
    )
    sector = forms.CharField(label=_("Sector"), max_length=30, required=False)
    by_sex = forms.BooleanField(label=_("Broken down by sex"), required=False)
    by_age = forms.BooleanField(label=_("Broken down by age band"), required=False)

    @classmethod
    def initial_for(cls, indicator: Indicator) -> dict:
        return {name: getattr(indicator, name) for name in cls.base_fields}
