from django import forms
from django.utils.translation import gettext_lazy as _

from askesos.geo.models import Village
from askesos.money import INCOME_CEILING, RupiahFormField
from programme.participants.models import HeirRelation, MeetingGroup, Participant
from programme.schemes.rules import DOCUMENT_LABELS

OTHER_VILLAGE = "lain"


def village_choices(regency_code: str) -> list:
    """The desa/kelurahan of a kabupaten/kota grouped by kecamatan, for a <select> with
    one <optgroup> per kecamatan; the last choice lets the user type a village code
    outside it (a border village)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    villages = (
        Village.objects.filter(district__regency_id=regency_code)
        .select_related("district")
        .order_by("district__name", "name")
    )
    for village in villages:
        groups.setdefault(f"Kec. {village.district.name}", []).append((village.code, village.name))
    return [
        ("", _("— choose the village —")),
        *groups.items(),
        (_("Outside this kabupaten/kota"), [(OTHER_VILLAGE, _("Another village: type its code"))]),
    ]


class VillageField(forms.CharField):
    """A <select> of the kabupaten's villages, posted as `village_code` like the typed
    code it replaces; any code is accepted here and the registration service checks
    that it exists."""

    widget = forms.Select


class ParticipantRegisterForm(forms.ModelForm):
    monthly_income = RupiahFormField(
        label=_("monthly income (Rp)"), zero_allowed=True, ceiling=INCOME_CEILING
    )
    village_code = VillageField(label=_("Village (desa/kelurahan)"), max_length=13)
    village_code_other = forms.CharField(
        label=_("Code of a village outside this kabupaten/kota"),
        max_length=13,
        required=False,
        help_text=_("Only for a village outside the list, for example 74.02.01.1001."),
    )
    group = forms.ModelChoiceField(
        label=_("Meeting group (kelompok)"),
        queryset=MeetingGroup.objects.select_related("village").order_by("name"),
        required=False,
        empty_label=_("— none yet —"),
    )
    documents = forms.MultipleChoiceField(
        label=_("Documents seen"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (k, v)
            for k, v in DOCUMENT_LABELS.items()
            if k in {"ktp_or_domicile", "willingness_statement"}
        ],
        initial=["ktp_or_domicile"],
    )
    heir_name = forms.CharField(label=_("Heir's name"), max_length=150, required=False)
    heir_relation = forms.ChoiceField(
        label=_("Heir's relation"), choices=HeirRelation.choices, required=False
    )
    nik_override_reason = forms.CharField(
        label=_("Reason to accept a NIK that does not match"),
        max_length=300,
        required=False,
        help_text=_("Only when the NIK's birth date or region does not match the data."),
    )

    class Meta:
        model = Participant
        fields = [
            "nik",
            "name",
            "sex",
            "birth_date",
            "marital_status",
            "occupation",
            "monthly_income",
            "household_size",
            "is_breadwinner",
            "address",
            "phone",
            "data_source",
            "poverty_status",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}

    field_order = [
        "nik",
        "name",
        "sex",
        "birth_date",
        "marital_status",
        "occupation",
        "monthly_income",
        "household_size",
        "is_breadwinner",
        "address",
        "village_code",
        "village_code_other",
        "group",
        "phone",
    ]

    def __init__(self, *args, regency_code: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = village_choices(regency_code)
        self.fields["village_code"].widget.choices = choices
        listed = {code for _label, group in choices[1:] for code, _name in group}
        posted = (self.data.get("village_code") or "").strip() if self.is_bound else ""
        if posted and posted not in listed:
            # A code typed or posted from outside the list shows as "another village".
            self.data = self.data.copy()
            self.data["village_code"] = OTHER_VILLAGE
            self.data["village_code_other"] = self.data.get("village_code_other") or posted

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("village_code") == OTHER_VILLAGE:
            other = (cleaned.get("village_code_other") or "").strip()
            if not other:
                self.add_error(
                    "village_code_other", _("Type the code of the village, e.g. 74.02.01.1001.")
                )
            cleaned["village_code"] = other
        return cleaned

    def validate_unique(self) -> None:
        # Uniqueness is the service's to judge (with a clearer message).
        return None


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"))
