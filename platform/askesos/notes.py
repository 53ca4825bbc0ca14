"""Sentences the system writes into records, kept as what happened and put into words
when read, in the reader's language.

A ledger entry's description, a policy's history, a claim's verification: text saved
in the database stays in the language of whoever caused it, so an English reader
would see Bahasa Indonesia (and the other way round). A note is stored instead as
``{"code": "premium_receipt", "params": {"policy": "AKS-…", "months": 3}}``: the code
names a sentence of a catalogue (a `Notes`), the parameters are plain JSON values
(numbers, identifiers, text people typed, ISO dates, choice keys) and the catalogue's
formatters turn them into words when the note is read (a date as 22 Nov 2026, a
benefit key as its label). A parameter may itself be a note (a correction names the
entry it corrects).

Rows written before a note existed, and text people typed themselves, have no code:
they are shown as stored.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.utils import translation

from askesos.dates import format_date

Formatter = Callable[[Any], str]
StoredNote = dict[str, Any]


def as_date(value: Any) -> str:
    """An ISO date parameter in the one display format (22 Nov 2026)."""
    if isinstance(value, str) and value:
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value) if isinstance(value, datetime.date) else str(value or "")


def _json(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple | frozenset | set):
        return [_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"a note parameter is plain data, got {type(value).__name__}")


class Notes:
    """A catalogue of sentences: `messages` maps a code to a lazily translated message
    (gettext_lazy, or ngettext_lazy whose number is one of the parameters);
    `formats` maps a parameter name to the function that puts its stored value into
    words (parameters without one are shown as they are)."""

    def __init__(
        self, messages: Mapping[str, Any], formats: Mapping[str, Formatter] | None = None
    ) -> None:
        self.messages = dict(messages)
        self.formats = dict(formats or {})

    def __call__(self, code: str, /, **params: Any) -> StoredNote:
        """The note to store: refused here, not when read, if the code is unknown."""
        if code not in self.messages:
            raise ValueError(f"no sentence for note code {code!r}")
        return {"code": code, "params": _json(params)}

    def knows(self, note: Any) -> bool:
        return isinstance(note, Mapping) and note.get("code") in self.messages

    def words(self, note: StoredNote) -> dict[str, Any]:
        """The note's parameters in words, in the active language."""
        return {name: self._word(name, value) for name, value in (note.get("params") or {}).items()}

    def _word(self, name: str, value: Any) -> Any:
        if isinstance(value, Mapping) and ("code" in value or "text" in value):
            return self.render(value, fallback=str(value.get("text", "")))
        formatter = self.formats.get(name)
        if formatter is not None:
            return formatter(value)
        return "" if value is None else value

    def render(self, note: Any, *, fallback: str = "") -> str:
        """The note in the active language; `fallback` (the stored text) for a row
        without a known code, or if the stored parameters no longer fit."""
        if not self.knows(note):
            return fallback
        message = self.messages[note["code"]]
        params = self.words(note)
        try:
            text = str(message % params) if params else str(message)
        except (KeyError, TypeError, ValueError):
            return fallback
        return " ".join(text.split())  # an empty optional parameter leaves no gap

    def stored_text(self, note: StoredNote) -> str:
        """The note in the platform's language (Bahasa Indonesia), saved beside it so
        that the row reads the same in the admin, in SQL and for older code."""
        with translation.override(settings.LANGUAGE_CODE):
            return self.render(note)
