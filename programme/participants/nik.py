"""What a NIK says about its holder, checked against what was entered.

python-stdnum checks the format and the birth date; the region is checked against the
vendored wilayah, which (unlike stdnum's table) knows the provinces created since 2022.
"""

from __future__ import annotations

import datetime
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.id import nik as stdnum_nik

from programme.participants.errors import ParticipantError


def nik_clean(value: str) -> str:
    """The 16 digits, or ParticipantError with the reason in words."""
    number = stdnum_nik.compact(value or "")
    reasons = {
        InvalidFormat: _("it may contain only digits"),
        InvalidLength: _("it must have 16 digits"),
        InvalidComponent: _("its birth date part is not a real date"),
    }
    try:
        if not number.isdigit():
            raise InvalidFormat()
        if len(number) != 16:
            raise InvalidLength()
        stdnum_nik.get_birth_date(number)
    except StdnumValidationError as exc:
        reason = reasons.get(type(exc), reasons[InvalidFormat])
        raise ParticipantError("nik_invalid", field="nik", nik=value, reason=reason) from exc
    return number


def nik_digest(nik: str) -> str:
    """The key the national index uses: an HMAC, so the public schema never holds a NIK
    and a leaked index cannot be reversed by hashing all possible NIKs."""
    return nik_digester()(nik)


def nik_digester() -> Callable[[str], str]:
    """`nik_digest` for many NIKs in a row (an export of 500.000): the key read once."""
    key = settings.NIK_INDEX_KEY.encode()

    def digest(nik: str) -> str:
        return hmac.digest(key, nik.encode(), "sha256").hex()

    return digest


@dataclass(frozen=True)
class NikFacts:
    birth_day: int
    birth_month: int
    birth_year_2digit: int
    is_female: bool
    district_code: str  # PP.RR.SS, the kecamatan of issue

    @property
    def regency_code(self) -> str:
        return self.district_code[:5]


def nik_facts(nik: str) -> NikFacts:
    day = int(nik[6:8])
    return NikFacts(
        birth_day=day % 40,
        birth_month=int(nik[8:10]),
        birth_year_2digit=int(nik[10:12]),
        is_female=day > 40,
        district_code=f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}",
    )


def nik_mismatches(
    *,
    nik: str,
    birth_date: datetime.date,
    sex: str,
    village_code: str,
    lpa_regency_code: str,
    districts: set[str] | frozenset[str] | None = None,
) -> list[str]:
    """Human-readable disagreements between the NIK and the entered data (empty = none).
    Bulk callers pass the set of kecamatan codes to save a query per row."""
    from askesos.geo.models import District

    facts = nik_facts(nik)
    known_district = (
        facts.district_code in districts
        if districts is not None
        else District.objects.filter(code=facts.district_code).exists()
    )
    found = []
    if (facts.birth_day, facts.birth_month, facts.birth_year_2digit) != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        found.append(
            _("the NIK's birth date is %(day)02d-%(month)02d-..%(year)02d")
            % {"day": facts.birth_day, "month": facts.birth_month, "year": facts.birth_year_2digit}
        )
    if facts.is_female != (sex == "P"):
        found.append(
            _("the NIK is a woman's (day + 40)") if facts.is_female else _("the NIK is a man's")
        )
    if not known_district:
        found.append(
            _("the NIK's region %(code)s is not a known kecamatan") % {"code": facts.district_code}
        )
    elif facts.regency_code != village_code[:5]:
        found.append(_("the NIK was issued in another kabupaten/kota than the address"))
    if village_code[:5] != lpa_regency_code:
        found.append(_("the address is outside this LPA's kabupaten/kota"))
    return found
