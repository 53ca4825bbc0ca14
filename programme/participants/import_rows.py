"""One row of a participant list to the registration's input: the columns' words as
LPAs write them (`laki-laki`, `1.200.000`, `17-08-1985`, `ya`), refused cell by cell
with a reason the user can act on. Formulas are refused (the value is wanted, not a
calculation a spreadsheet would run again on export), and a text longer than its
field is refused here rather than by PostgreSQL."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils.translation import gettext as _

from programme.participants.models import (
    DataSource,
    Heir,
    HeirRelation,
    MaritalStatus,
    Occupation,
    Participant,
    PovertyStatus,
)
from programme.participants.services import HeirInput, ParticipantInput

ECHO_CHARS = 40  # how much of a refused value a message repeats
INCOME_MAX = 2_147_483_647  # the column's type (integer)


class CellError(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        self.message = message


def _longest(model: Any, name: str) -> int:
    return model._meta.get_field(name).max_length


# The columns whose text is stored as it is, and their fields' lengths.
TEXT_LIMITS = {
    "nama": _longest(Participant, "name"),
    "alamat": _longest(Participant, "address"),
    "telepon": _longest(Participant, "phone"),
    "alasan_nik": _longest(Participant, "nik_override_reason"),
    "ahli_waris_nama": _longest(Heir, "name"),
    "ahli_waris_nik": _longest(Heir, "nik"),
}


def _text(row: dict, column: str, *, required: bool = False) -> str:
    value = row.get(column)
    if isinstance(value, str) and value.lstrip().startswith("="):
        raise CellError(column, _("formulas are not allowed; paste the value instead"))
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise CellError(column, _("this field is required"))
    limit = TEXT_LIMITS.get(column)
    if limit is not None and len(text) > limit:
        raise CellError(
            column,
            _("%(length)s characters; at most %(limit)s") % {"length": len(text), "limit": limit},
        )
    return text


def _echo(text: str) -> str:
    return text if len(text) <= ECHO_CHARS else text[: ECHO_CHARS - 1] + "…"


def _choice(
    row: dict,
    column: str,
    choices: Any,
    aliases: dict[str, str] | None = None,
    default: str | None = None,
) -> str:
    raw = _text(row, column, required=default is None).lower()
    if not raw and default is not None:
        return default
    key = re.sub(r"[\s\-]+", "_", raw)
    by_label = {str(label).lower(): value for value, label in choices.choices}
    value = (aliases or {}).get(key) or (key if key in choices.values else by_label.get(raw))
    if value is None:
        allowed = ", ".join(choices.values)
        raise CellError(
            column,
            _("unknown value %(value)s (allowed: %(allowed)s)")
            % {"value": _echo(raw), "allowed": allowed},
        )
    return value


def _date(row: dict, column: str) -> datetime.date:
    value = row.get(column)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(row, column, required=True)
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(column, _("not a date; write it as 17-08-1985 or 1985-08-17"))


def _rupiah(row: dict, column: str) -> int:
    value = row.get(column)
    if isinstance(value, bool):
        raise CellError(column, _("not an amount"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(column, _("rupiah amounts are whole numbers"))
        number = int(value)
    else:
        text = _text(row, column, required=True)
        cleaned = re.sub(r"^rp\.?\s*", "", text.lower()).replace(" ", "")
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
            cleaned = cleaned.replace(".", "")
        if not re.fullmatch(r"-?\d{1,15}", cleaned):
            raise CellError(column, _("rupiah amounts are whole numbers, e.g. 1.200.000"))
        number = int(cleaned)
    if number < 0:
        raise CellError(column, _("must not be negative"))
    if number > INCOME_MAX:
        raise CellError(column, _("too large for a monthly income"))
    return number


def _whole(row: dict, column: str, default: int) -> int:
    text = _text(row, column)
    if not text:
        return default
    if not re.fullmatch(r"\d{1,4}(\.0)?", text):
        raise CellError(column, _("must be a whole number"))
    return int(float(text))


def _village(row: dict) -> str:
    text = _text(row, "kode_desa", required=True).replace(" ", "")
    digits = text.replace(".", "")
    if re.fullmatch(r"\d{10}", digits):
        return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:10]}"
    raise CellError("kode_desa", _("a village code looks like 74.71.01.1005"))


def _yes(row: dict, column: str, default: bool) -> bool:
    text = _text(row, column).lower()
    if not text:
        return default
    if text in {"ya", "y", "yes", "1", "true"}:
        return True
    if text in {"tidak", "t", "no", "0", "false"}:
        return False
    raise CellError(column, _("write ya or tidak"))


class _Sex:
    """Sex codes as the import accepts them (L/P)."""

    values = ["L", "P"]
    choices = [("L", "L"), ("P", "P")]


def row_to_input(row: dict) -> tuple[ParticipantInput, str]:
    """One row to the registration input and its override reason; CellError if a
    cell cannot be read."""
    heir_name = _text(row, "ahli_waris_nama")
    heirs: tuple[HeirInput, ...] = ()
    if heir_name:
        heirs = (
            HeirInput(
                name=heir_name,
                relation=_choice(
                    row,
                    "ahli_waris_hubungan",
                    HeirRelation,
                    default="lainnya",
                    aliases={"istri": "pasangan", "suami": "pasangan"},
                ),
                nik=_text(row, "ahli_waris_nik"),
                is_primary=True,
            ),
        )
    documents = tuple(
        d.strip() for d in (_text(row, "dokumen") or "ktp_or_domicile").split(",") if d.strip()
    )
    data = ParticipantInput(
        nik=_text(row, "nik", required=True)[:40],
        name=_text(row, "nama", required=True),
        sex=_choice(
            row,
            "jenis_kelamin",
            _Sex,
            aliases={"laki_laki": "L", "perempuan": "P", "l": "L", "p": "P"},
        ),
        birth_date=_date(row, "tanggal_lahir"),
        marital_status=_choice(row, "status_perkawinan", MaritalStatus),
        occupation=_choice(row, "pekerjaan", Occupation),
        monthly_income=_rupiah(row, "penghasilan"),
        village_code=_village(row),
        data_source=_choice(row, "sumber_data", DataSource, aliases={"penjangkauan": "outreach"}),
        poverty_status=_choice(row, "status_kemiskinan", PovertyStatus),
        household_size=_whole(row, "jumlah_anggota_keluarga", 1),
        is_breadwinner=_yes(row, "pencari_nafkah_utama", True),
        address=_text(row, "alamat"),
        phone=_text(row, "telepon"),
        documents=documents,
        heirs=heirs,
    )
    return data, _text(row, "alasan_nik")
