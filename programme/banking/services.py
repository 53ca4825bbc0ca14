"""Importing bank statements and reconciling them with the books.

A statement file is hashed, written under MEDIA_ROOT/<schema>/bank/ and recorded
before it is read, so no file is ever lost and none is imported twice (the hash is
unique). Each statement in it must belong to one of this LPA's bank accounts and must
not be stored already (account, number and closing date are unique); the parser's
problems (a broken line, a balance that does not follow from the lines) and ours are
the file's report, kept with it.

Reconciling an account matches statement lines to ledger lines one to one (same
signed amount, value dates at most RECONCILE_DATE_TOLERANCE_DAYS apart, a shared
reference preferred, then the nearest date), compares the books with the latest
statement's closing balance on its closing date, and raises or resolves the
`reconciliation_difference` finding and the district's status row.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from askesos.dates import format_date, lpa_start, today
from askesos.files import file_keep
from askesos.money import format_rupiah
from programme.bank.base import BankFileError, LineProblem, ParsedFile
from programme.banking.errors import PROBLEM_MESSAGES, BankingError
from programme.banking.models import (
    BankStatement,
    MatchKind,
    Reconciliation,
    ReconciliationState,
    StatementFile,
    StatementLine,
)
from programme.ledger import accounts as acc
from programme.ledger.models import EntryKind, JournalEntry, JournalLine
from programme.ledger.notes import ENTRY_NOTES
from programme.ledger.services import Line, account_balance, entry_post, month_of
from reporting.findings import finding_raise, finding_resolve
from reporting.models import Finding, ReconciliationStatus
from tenants.selectors import lpa_current

logger = logging.getLogger(__name__)

BANK_ACCOUNTS = (acc.BANK_RESERVE, acc.BANK_SAVINGS, acc.BANK_REVOLVING, acc.BANK_GRANTS)
# Interest credited to a bank account belongs to that account's fund.
ACCOUNT_FUND = {
    acc.BANK_RESERVE: acc.RESERVE_FUND,
    acc.BANK_SAVINGS: acc.OPERATIONS_FUND,
    acc.BANK_REVOLVING: acc.REVOLVING_CAPITAL,
    acc.BANK_GRANTS: acc.GRANT_FUND,
}
CHARGE_KINDS = ("NCHG", "NCOM", "FCHG")
INTEREST_KINDS = ("NINT", "FINT")


def tolerance_days() -> int:
    return settings.RECONCILE_DATE_TOLERANCE_DAYS


def _subject(account: str) -> str:
    return f"bank:{account}"


# --- import ----------------------------------------------------------------------------


def _accounts_by_number() -> dict[str, str]:
    """This LPA's bank account numbers -> the ledger account they reconcile."""
    from tenants.models import LpaBankAccount

    lpa = lpa_current()
    return dict(LpaBankAccount.objects.filter(lpa_id=lpa.pk).values_list("number", "purpose"))


def _store(sha: str, name: str, content: bytes) -> str:
    extension = (Path(name).suffix.lower().lstrip(".") or "txt")[:8]
    if not extension.isalnum():
        extension = "txt"
    return file_keep(f"{connection.schema_name}/bank/{sha}.{extension}", content)


def _parse(name: str, content: bytes) -> ParsedFile:
    from programme.bank.formats import statement_parse

    try:
        return statement_parse(name, content)
    except BankFileError as exc:
        # The file as a whole cannot be read: the report says why, the file is kept.
        return ParsedFile(
            problems=(LineProblem(line=0, code=f"file:{exc.code}", params=exc.params),)
        )
    except Exception:  # a file from outside that trips the parser: reported, not a 500
        logger.exception("statement file %s could not be parsed", name)
        return ParsedFile(
            problems=(
                LineProblem(
                    line=0,
                    code="file:file_format",
                    params={"format": "MT940", "reason": "unreadable"},
                ),
            )
        )


def statement_file_import(
    *,
    name: str,
    content: bytes,
    actor: Any,
    source: str = StatementFile.Source.UPLOAD,
    reconcile_after: bool = True,
) -> StatementFile:
    """Keep the file, store its good statements, report the rest; then reconcile the
    accounts it touched (unless `reconcile_after` is False: the nightly job will). The
    same file again is refused, naming the first import."""
    if not content:
        raise BankFileError("file_empty", field="file")
    if len(content) > settings.BANK_STATEMENT_MAX_BYTES:
        raise BankFileError(
            "file_too_large", field="file", limit=_size(settings.BANK_STATEMENT_MAX_BYTES)
        )
    name = Path(name or "statement").name[:200]
    sha = hashlib.sha256(content).hexdigest()
    _refuse_known(sha)
    relative = _store(sha, name, content)
    try:
        with transaction.atomic():
            record = StatementFile.objects.create(
                name=name,
                sha256=sha,
                size=len(content),
                path=relative,
                source=source,
                uploaded_by_id=getattr(actor, "pk", None),
            )
            touched = _statements_store(record, _parse(name, content))
    except IntegrityError:
        _refuse_known(sha)  # the same file at the same moment from elsewhere
        raise
    for account in sorted(touched) if reconcile_after else ():
        reconcile(account=account, trigger="import", actor=actor)
    return record


def _refuse_known(sha: str) -> None:
    first = StatementFile.objects.filter(sha256=sha).first()
    if first is not None:
        raise BankFileError(
            "file_duplicate",
            field="file",
            date=format_date(first.uploaded_at),
            name=first.name,
        )


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} B"


def _statements_store(record: StatementFile, parsed: ParsedFile) -> set[str]:
    problems = [p.as_dict() for p in parsed.problems]
    accounts = _accounts_by_number()
    touched: set[str] = set()
    stored = 0
    for statement in parsed.statements:
        facts = {
            "number": statement.number,
            "number_account": statement.account_number,
            "closing": statement.closing_date.isoformat(),
        }
        first_line = min((line.line for line in statement.lines), default=0)
        account = accounts.get(statement.account_number)
        if account is None:
            problems.append(
                {"line": first_line, "code": "account_unknown", "params": facts, "text": ""}
            )
            continue
        if statement.closing_date < statement.opening_date:
            problems.append(
                {"line": first_line, "code": "statement_dates", "params": facts, "text": ""}
            )
            continue
        days = [
            statement.opening_date,
            statement.closing_date,
            *(line.value_date for line in statement.lines),
        ]
        if min(days) < lpa_start() or max(days) > today():
            # A statement dated 9999 or year 149 would reconcile against no books.
            params = {**facts, "start": lpa_start().isoformat()}
            problems.append(
                {"line": first_line, "code": "statement_out_of_range", "params": params, "text": ""}
            )
            continue
        earlier = (
            BankStatement.objects.filter(
                account=account, number=statement.number, closing_date=statement.closing_date
            )
            .select_related("file")
            .first()
        )
        if earlier is not None:
            problems.append(
                {
                    "line": first_line,
                    "code": "statement_duplicate",
                    "params": {
                        **facts,
                        "date": timezone.localdate(earlier.file.uploaded_at).isoformat(),
                        "name": earlier.file.name,
                    },
                    "text": "",
                }
            )
            continue
        try:
            with transaction.atomic():  # the same statement stored at this moment elsewhere
                row = BankStatement.objects.create(
                    file=record,
                    account=account,
                    account_number=statement.account_number,
                    number=statement.number,
                    opening_date=statement.opening_date,
                    opening_balance=statement.opening_balance,
                    closing_date=statement.closing_date,
                    closing_balance=statement.closing_balance,
                )
        except IntegrityError:
            problems.append(
                {
                    "line": first_line,
                    "code": "statement_duplicate",
                    "params": {**facts, "date": today().isoformat(), "name": "-"},
                    "text": "",
                }
            )
            continue
        StatementLine.objects.bulk_create(
            StatementLine(
                statement=row,
                line=line.line,
                value_date=line.value_date,
                amount=line.amount,
                kind=line.kind[:8],
                reference=line.reference[:60],
                bank_reference=line.bank_reference[:60],
                text=line.text[:400],
            )
            for line in statement.lines
        )
        stored += 1
        touched.add(account)
    record.problems = sorted(problems, key=lambda p: (p["line"], p["code"]))
    record.statements = stored
    record.state = StatementFile.State.IMPORTED if stored else StatementFile.State.REFUSED
    record.save(update_fields=["problems", "statements", "state"])
    return touched


def problem_text(problem: dict[str, Any]) -> str:
    """One problem of an import report in the reader's language."""
    from programme.bank.formats import problem_message

    code, params = problem.get("code", ""), dict(problem.get("params") or {})
    if code.startswith("file:"):
        message = BankFileError.messages.get(code[5:])
        return str(message) % params if message is not None and params else str(message or code)
    message = PROBLEM_MESSAGES.get(code)
    if message is None:
        return problem_message(
            LineProblem(
                line=problem.get("line", 0), code=code, params=params, text=problem.get("text", "")
            )
        )
    for key in ("closing", "date", "start"):
        if params.get(key):
            params[key] = format_date(datetime.date.fromisoformat(params[key]))
    return str(message) % params


# --- matching --------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]{3,}")


def reference_tokens(*texts: Any) -> set[str]:
    """Reference-like words (four characters or more with a digit): a deposit slip's
    number, our transfer reference ASKTRF000123, a subsidy's reference."""
    tokens: set[str] = set()
    for text in texts:
        for token in _TOKEN.findall(str(text or "")):
            token = token.strip("./-").upper()
            if len(token) >= 4 and any(c.isdigit() for c in token):
                tokens.add(token)
    return tokens


def _entry_tokens(entry: JournalEntry) -> set[str]:
    _prefix, _sep, key = entry.source_key.partition(":")
    params = (entry.note or {}).get("params") or {}
    values = [v for v in params.values() if isinstance(v, str | int)]
    return reference_tokens(key, entry.description, *values)


def _line_tokens(line: StatementLine) -> set[str]:
    return reference_tokens(line.reference, line.bank_reference, line.text)


@dataclass(frozen=True)
class Window:
    start: datetime.date
    end: datetime.date


def _window(account: str) -> Window | None:
    """From the first statement's opening to the last one's closing, in one query."""
    span = BankStatement.objects.filter(account=account).aggregate(
        start=Min("opening_date"), end=Max("closing_date")
    )
    return Window(span["start"], span["end"]) if span["start"] is not None else None


def _unmatched_books(account: str, start: datetime.date, end: datetime.date):
    return (
        JournalLine.objects.filter(
            account__code=account,
            entry__date__gte=start,
            entry__date__lte=end,
            statement_line__isnull=True,
        )
        .select_related("entry")
        .order_by("entry__date", "pk")
    )


def _unmatched_bank(account: str):
    return StatementLine.objects.filter(
        statement__account=account, journal_line__isnull=True
    ).order_by("value_date", "statement__closing_date", "line", "pk")


def lines_auto_match(*, account: str, window: Window | None = None) -> int:
    """Match what can be matched without a person: each unmatched statement line, in
    value-date order, takes the unmatched ledger line of the account with the same
    signed amount within the tolerance, a shared reference first, then the nearest
    date, then the earliest posted. One to one; returns how many were matched.
    `window`: the account's statements' span, when the caller has it already."""
    window = window or _window(account)
    if window is None:
        return 0
    days = datetime.timedelta(days=tolerance_days())
    books = list(_unmatched_books(account, window.start - days, window.end + days))
    by_amount: dict[int, list[JournalLine]] = {}
    for line in books:
        by_amount.setdefault(line.amount, []).append(line)
    tokens: dict[int, set[str]] = {}
    now = timezone.now()
    chosen: list[StatementLine] = []
    # Locked: a person matching by hand at this moment waits, then finds them matched.
    for bank_line in _unmatched_bank(account).select_for_update(of=("self",)):
        candidates = [
            line
            for line in by_amount.get(bank_line.amount, [])
            if abs((line.entry.date - bank_line.value_date).days) <= days.days
        ]
        if not candidates:
            continue
        wanted, day = _line_tokens(bank_line), bank_line.value_date
        for line in candidates:
            if line.entry_id not in tokens:
                tokens[line.entry_id] = _entry_tokens(line.entry)
        best = min(
            candidates,
            key=lambda line, wanted=wanted, day=day: (
                0 if wanted & tokens[line.entry_id] else 1,
                abs((line.entry.date - day).days),
                line.pk,
            ),
        )
        by_amount[bank_line.amount].remove(best)
        bank_line.journal_line, bank_line.match_kind, bank_line.matched_at = (
            best,
            MatchKind.AUTO,
            now,
        )
        chosen.append(bank_line)
    # One UPDATE for all of them, not one per line.
    StatementLine.objects.bulk_update(chosen, ["journal_line", "match_kind", "matched_at"])
    matched = len(chosen)
    return matched


def line_match_manual(
    *, statement_line: StatementLine, journal_line: JournalLine, actor: Any
) -> StatementLine:
    """The Bendahara matches a statement line to a ledger line by hand: same account,
    same amount, both unmatched (any date); who and when are recorded."""
    with transaction.atomic():
        line = (
            StatementLine.objects.select_for_update()
            .select_related("statement")
            .get(pk=statement_line.pk)
        )
        if line.journal_line_id is not None:
            raise BankingError("line_matched", field="journal_line")
        books = JournalLine.objects.select_related("account").get(pk=journal_line.pk)
        if books.account.code != line.statement.account:
            raise BankingError(
                "match_account", field="journal_line", account=line.statement.account
            )
        if books.amount != line.amount:
            raise BankingError(
                "match_amount",
                field="journal_line",
                bank=format_rupiah(line.amount),
                books=format_rupiah(books.amount),
            )
        if StatementLine.objects.filter(journal_line=books).exists():
            raise BankingError("journal_line_matched", field="journal_line")
        line.journal_line = books
        line.match_kind = MatchKind.MANUAL
        line.matched_by_id = getattr(actor, "pk", None)
        line.matched_at = timezone.now()
        try:
            with transaction.atomic():
                line.save(update_fields=["journal_line", "match_kind", "matched_by", "matched_at"])
        except IntegrityError as exc:
            raise BankingError("journal_line_matched", field="journal_line") from exc
    reconcile(account=line.statement.account, trigger="match", actor=actor)
    return line


def line_unmatch(*, statement_line: StatementLine, actor: Any) -> StatementLine:
    """Undo an automatic or manual match (a posted line keeps its entry: correct that
    entry by a reversal in the books instead)."""
    with transaction.atomic():
        line = (
            StatementLine.objects.select_for_update()
            .select_related("statement")
            .get(pk=statement_line.pk)
        )
        if line.journal_line_id is None or line.match_kind == MatchKind.POSTED:
            raise BankingError("line_not_matched")
        line.journal_line = None
        line.match_kind = ""
        line.matched_by_id = getattr(actor, "pk", None)
        line.matched_at = timezone.now()
        line.save(update_fields=["journal_line", "match_kind", "matched_by", "matched_at"])
    reconcile(account=line.statement.account, trigger="match", actor=actor)
    return line


def bank_line_post(*, statement_line: StatementLine, actor: Any) -> JournalEntry:
    """One click: the bank's charge (money out) as an operating expense, or its
    interest (money in) into the account's fund, dated the value date and matched to
    the statement line. The same line twice gives the same entry."""
    with transaction.atomic():
        line = (
            StatementLine.objects.select_for_update()
            .select_related("statement")
            .get(pk=statement_line.pk)
        )
        account = line.statement.account
        key = f"bank-line:{line.pk}"
        if line.journal_line_id is not None:
            if line.match_kind == MatchKind.POSTED:
                return JournalEntry.objects.get(source_key=key)
            raise BankingError("line_matched")
        params = {"day": line.value_date, "reference": line.bank_reference or line.reference}
        if line.amount < 0:
            kind, note = EntryKind.EXPENSE, ENTRY_NOTES("bank_charge", **params)
            lines = [Line(acc.OPERATING_EXPENSE, -line.amount), Line(account, line.amount)]
        else:
            kind, note = EntryKind.INTEREST, ENTRY_NOTES("bank_interest", **params)
            lines = [Line(account, line.amount), Line(ACCOUNT_FUND[account], -line.amount)]
        entry = entry_post(
            date=line.value_date, kind=kind, source_key=key, note=note, lines=lines, actor=actor
        )
        line.journal_line = entry.lines.get(account__code=account)
        line.match_kind = MatchKind.POSTED
        line.matched_by_id = getattr(actor, "pk", None)
        line.matched_at = timezone.now()
        line.save(update_fields=["journal_line", "match_kind", "matched_by", "matched_at"])
    reconcile(account=account, trigger="post", actor=actor)
    return entry


# --- reconciliation --------------------------------------------------------------------


def reconcile(*, account: str, trigger: str, actor: Any = None) -> Reconciliation:
    """Match, compare the books with the latest statement on its closing date, record
    the run, and raise or resolve the finding and the district's status."""
    if account not in BANK_ACCOUNTS:
        raise BankingError("account_unknown", field="account", account=account)
    with transaction.atomic():
        window = _window(account)
        lines_auto_match(account=account, window=window)
        latest = (
            BankStatement.objects.filter(account=account).order_by("-closing_date", "-pk").first()
        )
        if latest is None:
            run = Reconciliation.objects.create(
                account=account,
                ledger_balance=account_balance(account),
                state=ReconciliationState.NO_STATEMENT,
                trigger=trigger,
                run_by_id=getattr(actor, "pk", None),
            )
            _status_write(run)
            return run
        ledger = account_balance(account, until=latest.closing_date)
        difference = latest.closing_balance - ledger
        bank_open = list(_unmatched_bank(account))
        books_open = list(_unmatched_books(account, window.start, window.end))
        overdue = today() - datetime.timedelta(days=tolerance_days())
        stale = [line for line in bank_open if line.value_date < overdue]
        run = Reconciliation.objects.create(
            account=account,
            as_of=latest.closing_date,
            ledger_balance=ledger,
            bank_balance=latest.closing_balance,
            difference=difference,
            unmatched_bank_count=len(bank_open),
            unmatched_bank_amount=sum(line.amount for line in bank_open),
            unmatched_books_count=len(books_open),
            unmatched_books_amount=sum(line.amount for line in books_open),
            state=ReconciliationState.DIFFERENCE
            if difference or stale
            else ReconciliationState.AGREES,
            trigger=trigger,
            run_by_id=getattr(actor, "pk", None),
        )
        lpa = lpa_current()
        if run.state == ReconciliationState.DIFFERENCE:
            finding_raise(
                lpa=lpa,
                kind=Finding.Kind.RECONCILIATION_DIFFERENCE,
                subject=_subject(account),
                # No personal data: the account and the statement's closing date.
                summary=f"{account} {latest.closing_date.isoformat()}",
                amount=difference,
            )
        else:
            finding_resolve(
                lpa=lpa, kind=Finding.Kind.RECONCILIATION_DIFFERENCE, subject=_subject(account)
            )
        _status_write(run)
        return run


def _status_write(run: Reconciliation) -> None:
    """The district's row for this account (one per LPA and account)."""
    lpa = lpa_current()
    ReconciliationStatus.objects.update_or_create(
        lpa_id=lpa.pk,
        account=run.account,
        defaults={
            "month": month_of(run.as_of or today()),
            "state": run.state,
            "difference": run.difference,
            "statement_closing_date": run.as_of,
            "checked_at": run.run_at,
        },
    )


def reconciliation_latest(*, account: str) -> Reconciliation | None:
    return Reconciliation.objects.filter(account=account).order_by("-run_at", "-pk").first()


def accounts_with_statements() -> list[str]:
    return sorted(set(BankStatement.objects.values_list("account", flat=True)))


@dataclass(frozen=True)
class ReconciliationView:
    """What the reconciliation screen shows for one account."""

    account: str
    latest: Reconciliation | None
    matched: list[StatementLine]
    bank_open: list[StatementLine]
    books_open: list[JournalLine]
    candidates: dict[int, list[JournalLine]]  # statement line id -> same-amount ledger lines


def reconciliation_view(*, account: str) -> ReconciliationView:
    window = _window(account)
    matched = list(
        StatementLine.objects.filter(statement__account=account, journal_line__isnull=False)
        .select_related("journal_line__entry", "matched_by")
        .order_by("-value_date", "-pk")[:200]
    )
    bank_open = list(_unmatched_bank(account))
    books_open: list[JournalLine] = []
    candidates: dict[int, list[JournalLine]] = {}
    if window is not None:
        books_open = list(_unmatched_books(account, window.start, window.end))
        amounts = {line.amount for line in bank_open}
        any_date = list(
            JournalLine.objects.filter(
                account__code=account, amount__in=amounts, statement_line__isnull=True
            )
            .select_related("entry")
            .order_by("entry__date", "pk")[:500]
        )
        for line in bank_open:
            candidates[line.pk] = [b for b in any_date if b.amount == line.amount][:20]
    return ReconciliationView(
        account=account,
        latest=reconciliation_latest(account=account),
        matched=matched,
        bank_open=bank_open,
        books_open=books_open,
        candidates=candidates,
    )
