from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from opendtm.accounts.models import AuditEvent, Operation
from opendtm.accounts.roles import Role
from opendtm.geo.models import Site


class OperationCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(label=_("Short name in addresses"), max_length=60, required=False)
    country = forms.CharField(label=_("Country"), help_text=_("ISO3 code or name, e.g. NGA."))
    admin_level_names = forms.CharField(
        label=_("Admin level names"),
        initial="Country, State, LGA, Ward",
        help_text=_("Comma-separated, from level 0 down."),
    )
    pcode_style = forms.ChoiceField(label=_("P-code prefix"), choices=Operation.PcodeStyle.choices)
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    suppression_threshold = forms.IntegerField(
        label=_("Suppression threshold"), min_value=1, max_value=1000, initial=5
    )


class OperationSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    admin_level_names = forms.CharField(
        label=_("Admin level names"), help_text=_("Comma-separated, from level 0 down.")
    )
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    suppression_threshold = forms.IntegerField(
        label=_("Suppression threshold"), min_value=1, max_value=1000
    )
    public_dashboard = forms.BooleanField(
        label=_("Public dashboard"),
        required=False,
        help_text=_(
            "Anyone with the link, signed in or not, sees each published round's map and "
            "charts: public figures only, with small counts blanked."
        ),
    )
    report_logo = forms.ImageField(
        label=_("Report logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=_("PNG or JPEG, at most 1 MB, printed at the top of situation reports."),
    )
    remove_report_logo = forms.BooleanField(label=_("Remove the report logo"), required=False)
    report_disclaimer = forms.CharField(
        label=_("Report disclaimer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Printed at the end of situation reports. Left empty, they print a standard "
            "disclaimer on boundaries and estimates, in the report's language."
        ),
    )

    @classmethod
    def initial_for(cls, operation: Operation) -> dict:
        return {
            "name": operation.name,
            "admin_level_names": ", ".join(operation.admin_level_names),
            "default_language": operation.default_language,
            "suppression_threshold": operation.suppression_threshold,
            "public_dashboard": operation.public_dashboard,
            "report_disclaimer": operation.report_disclaimer,
        }


def split_names(text: str) -> list[str]:
    """Level names separated by commas, Latin or Arabic (،)."""
    return [name.strip() for name in text.replace("،", ",").split(",") if name.strip()]


class AreaImportForm(forms.Form):
    file = forms.FileField(
        label=_("COD-AB file"), help_text=_("GeoJSON (EPSG:4326), CSV UTF-8 or XLSX.")
    )
    columns = forms.CharField(
        label=_("Column mapping"),
        required=False,
        help_text=_("Only when asked, e.g. adm1_pcode=ADM1_PCODE,adm1_name=ADM1_EN"),
    )
    valid_on = forms.DateField(
        label=_("Valid on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date of this COD-AB version, when the file does not say."),
    )
    retire_missing = forms.BooleanField(
        label=_("This file replaces its whole level: retire p-codes it no longer has"),
        required=False,
    )
    repair = forms.BooleanField(label=_("Repair invalid geometries"), required=False)


class SiteImportForm(forms.Form):
    file = forms.FileField(label=_("Site list"), help_text=_("CSV UTF-8 or XLSX."))
    columns = forms.CharField(
        label=_("Column mapping"),
        required=False,
        help_text=_("Only when columns are not recognised, e.g. code=SSID,name=Site Name"),
    )


class SiteForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=200)
    site_type = forms.ChoiceField(label=_("Type"), choices=Site.Type.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Site.Status.choices)
    pcode = forms.CharField(
        label=_("Admin area p-code"),
        required=False,
        help_text=_("Leave empty to place the site by its coordinates."),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    aliases = forms.CharField(
        label=_("Aliases"), required=False, help_text=_("Other names, separated by ;")
    )


class SiteFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Site.Type.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Site.Status.choices]
    )
    area = forms.CharField(label=_("Area p-code"), required=False)
    outside_area = forms.BooleanField(label=_("Outside their area"), required=False)
    without_area = forms.BooleanField(label=_("Without area"), required=False)


class MemberAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *AuditEvent.Action.choices],
    )
    object_type = forms.ChoiceField(label=_("Record type"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Search"), required=False)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    expires_at = forms.DateTimeField(
        label=_("Expires"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
