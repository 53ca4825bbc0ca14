from django import forms
from django.utils.translation import gettext_lazy as _

from programme.participants.models import HeirRelation, Participant
from programme.schemes.rules import DOCUMENT_LABELS


class ParticipantRegisterForm(forms.ModelForm):
    village_code = forms.CharField(
        label=_("Village code (desa/kelurahan)"),
        max_length=13,
        help_text=_("For example 74.71.01.1005"),
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

    def validate_unique(self) -> None:
        # Uniqueness is the service's to judge (with a clearer message).
        return None


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"))
