"""The bank's files: batches out, confirmations and statements in. No database."""

import datetime

import pytest
from django.utils import translation

from programme.bank import formats
from programme.bank.base import (
    BankFileError,
    Confirmation,
    PaymentInstruction,
    Statement,
    StatementLine,
)

D = datetime.date
OCT_1 = D(2026, 10, 1)


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the UI's second language)."""
    with translation.override("en"):
        yield


def instruction(reference="ASKTRF000001", **changes) -> PaymentInstruction:
    values = {
        "reference": reference,
        "account_number": "9000011201",
        "account_holder": "LPA Sehat Sentosa",
        "bank_name": "Bank Mandiri",
        "amount": 1_250_000,
        "purpose": "Bantuan iuran Oktober 2026",
    }
    return PaymentInstruction(**(values | changes))


def line(amount, reference="", *, kind="NTRF", text="", reversal=False, day=OCT_1):
    return StatementLine(0, day, amount, kind, reference, "", text, reversal)


def statement(number, opening, lines, *, day=OCT_1, account="9000011201"):
    closing = opening + sum(item.amount for item in lines)
    return Statement(account, number, day, opening, day, closing, tuple(lines))


def codes(parsed):
    return [(problem.line, problem.code) for problem in parsed.problems]


# --- batches out -------------------------------------------------------------------------


def test_batch_csv_reads_back_as_the_same_instructions():
    sent = [instruction(), instruction("ASKTRF000002", amount=500_000, account_number="9000021201")]

    outgoing = formats.batch_csv_write(
        batch_reference="SUB-2026-10", instructions=sent, execution_date=D(2026, 10, 5)
    )

    text = outgoing.content.decode("utf-8")
    assert outgoing.name == "batch-SUB-2026-10.csv"
    assert outgoing.media_type == "text/csv"
    assert text.splitlines()[0] == (
        "batch_reference;line;reference;bank_name;account_number;account_holder;amount;"
        "currency;purpose;execution_date"
    )
    assert text.splitlines()[1] == (
        "SUB-2026-10;1;ASKTRF000001;Bank Mandiri;9000011201;LPA Sehat Sentosa;1250000;IDR;"
        "Bantuan iuran Oktober 2026;2026-10-05"
    )
    batch = formats.batch_csv_parse(outgoing.content)
    assert (batch.reference, batch.execution_date) == ("SUB-2026-10", D(2026, 10, 5))
    assert list(batch.instructions) == sent


def test_batch_csv_text_cells_cannot_run_as_spreadsheet_formulas():
    risky = instruction(
        account_holder='=HYPERLINK("http://evil","x")',
        bank_name="@SUM(A1)",
        purpose="+62 812; -1",
    )

    outgoing = formats.batch_csv_write(
        batch_reference="SUB1", instructions=[risky], execution_date=D(2026, 10, 5)
    )

    row = outgoing.content.decode().splitlines()[1]
    assert "'@SUM(A1)" in row
    assert "'=HYPERLINK(" in row
    assert '"\'+62 812; -1"' in row  # quoted: it holds the delimiter
    assert formats.batch_csv_parse(outgoing.content).instructions == (risky,)


@pytest.mark.parametrize(
    "bad",
    [
        instruction(reference="ASKTRF-WAY-TOO-LONG-1"),
        instruction(reference="ASK//1"),
        instruction(amount=0),
        instruction(account_number="9000-011201"),
        instruction(account_holder=" "),
        instruction(purpose="x" * 141),
    ],
)
def test_batch_with_a_line_a_bank_could_not_pay_or_return_is_refused(bad):
    with pytest.raises(BankFileError) as refused:
        formats.batch_csv_write(
            batch_reference="SUB1", instructions=[instruction(), bad], execution_date=D(2026, 10, 5)
        )
    assert refused.value.code == "instruction_invalid"
    assert "Payment 2" in refused.value.message


def test_batch_with_a_reference_twice_or_no_lines_is_refused():
    with pytest.raises(BankFileError, match="already in this batch"):
        formats.batch_csv_write(
            batch_reference="SUB1",
            instructions=[instruction(), instruction()],
            execution_date=D(2026, 10, 5),
        )
    with pytest.raises(BankFileError) as refused:
        formats.batch_csv_write(
            batch_reference="SUB1", instructions=[], execution_date=D(2026, 10, 5)
        )
    assert refused.value.code == "batch_empty"


# --- confirmations -----------------------------------------------------------------------


def test_confirmations_keep_good_lines_and_report_each_bad_line_with_its_number():
    content = (
        b"reference;status;bank_reference;value_date;amount;reason\r\n"
        b"ASKTRF000001;confirmed;FB01;2026-10-05;1250000;\r\n"
        b";confirmed;FB02;2026-10-05;5000;\r\n"
        b"ASKTRF000003;paid;FB03;2026-10-05;5000;\r\n"
        b"ASKTRF000004;confirmed;FB04;2026-13-05;5000;\r\n"
        b"ASKTRF000005;confirmed;FB05;2026-10-05;5.000;\r\n"
        b"ASKTRF000006;FAILED;;;;Rekening ditutup\r\n"
        b"\r\n"
        b"ASKTRF000007;returned;FB07;2026-10-06;500000;Nama tidak sesuai\r\n"
        b"ASKTRF000008;confirmed\r\n"
    )

    parsed = formats.confirmations_csv_parse(content)

    assert [(c.line, c.reference, c.status) for c in parsed.confirmations] == [
        (2, "ASKTRF000001", "confirmed"),
        (7, "ASKTRF000006", "failed"),
        (9, "ASKTRF000007", "returned"),
    ]
    assert parsed.confirmations[0] == Confirmation(
        2, "ASKTRF000001", "confirmed", "FB01", D(2026, 10, 5), 1_250_000, ""
    )
    assert parsed.confirmations[1].value_date is None and parsed.confirmations[1].amount is None
    assert codes(parsed) == [
        (3, "reference_missing"),
        (4, "status_unknown"),
        (5, "date_invalid"),
        (6, "amount_invalid"),
        (10, "columns_count"),
    ]
    assert formats.problem_message(parsed.problems[1]) == (
        "Unknown status paid: expected confirmed, failed or returned."
    )


def test_confirmations_read_back_what_the_writer_wrote():
    sent = [
        Confirmation(2, "ASKTRF000001", "confirmed", "FB1", D(2026, 10, 5), 10_000, ""),
        Confirmation(3, "ASKTRF000002", "returned", "FB2", D(2026, 10, 5), 20_000, "-closed"),
    ]
    parsed = formats.confirmations_csv_parse(formats.confirmations_csv_write(sent))
    assert list(parsed.confirmations) == sent and parsed.problems == ()


def test_confirmations_without_their_header_are_refused_whole():
    with pytest.raises(BankFileError) as refused:
        formats.confirmations_csv_parse(b"ASKTRF000001;confirmed;FB01;2026-10-05;1250000;\n")
    assert refused.value.code == "file_format"


# --- statements in MT940 -----------------------------------------------------------------

TWO_STATEMENTS = """{1:F01BMRIIDJAXXX0000000000}{2:I940BMRIIDJAXXXXN}{4:
:20:STM0001
:25:900 0011 201
:28C:12/1
:60F:C260930IDR1000000,00
:61:2610011001C1250000,00NTRFASKTRF000001//FB01
:86:Bantuan iuran Oktober
:61:2610011001D6500,00NCHGNONREF//FB02
:86:Biaya administrasi
:62F:C261001IDR2243500,
-}
{1:F01BMRIIDJAXXX0000000000}{2:I940BMRIIDJAXXXXN}{4:
:20:STM0002
:25:9000011201
:28C:13/1
:60F:C261001IDR2243500,00
:61:2610021002C500,00NINT
:86:Bunga
:62F:C261002IDR2244000,00
-}
"""


def test_mt940_file_with_two_statements_keeps_each_statements_own_balances():
    parsed = formats.statement_mt940_parse(TWO_STATEMENTS.encode())

    assert parsed.problems == ()
    first, second = parsed.statements
    assert (first.account_number, first.number, first.reference) == (
        "9000011201",
        "12/1",
        "STM0001",
    )
    assert (first.opening_date, first.opening_balance) == (D(2026, 9, 30), 1_000_000)
    assert (first.closing_date, first.closing_balance) == (D(2026, 10, 1), 2_243_500)
    assert (second.opening_balance, second.closing_balance) == (2_243_500, 2_244_000)
    assert [
        (x.line, x.value_date, x.amount, x.kind, x.reference, x.bank_reference, x.text)
        for x in first.lines
    ] == [
        (6, D(2026, 10, 1), 1_250_000, "NTRF", "ASKTRF000001", "FB01", "Bantuan iuran Oktober"),
        (8, D(2026, 10, 1), -6_500, "NCHG", "", "FB02", "Biaya administrasi"),
    ]
    assert second.lines[0].amount == 500 and second.lines[0].line == 17


def test_mt940_reversals_rd_put_money_back_and_rc_take_it_out():
    content = (
        b":20:R1\n:25:9000011201\n:28C:1\n:60F:C261001IDR100000,00\n"
        b":61:2610021002RC40000,00NTRFASKTRF000009//FB9\n:86:Dana dikembalikan\n"
        b":61:2610021002RD2500,00NCHGNONREF//FB10\n:86:Koreksi biaya\n"
        b":62F:C261002IDR62500,00\n"
    )

    (parsed,) = formats.statement_mt940_parse(content).statements

    assert [(x.amount, x.reversal) for x in parsed.lines] == [(-40_000, True), (2_500, True)]


def test_mt940_statement_that_does_not_add_up_is_left_out_and_says_expected_and_stated():
    content = TWO_STATEMENTS.replace(":62F:C261001IDR2243500,", ":62F:C261001IDR2250000,00")

    parsed = formats.statement_mt940_parse(content.encode())

    assert [s.reference for s in parsed.statements] == ["STM0002"]
    assert codes(parsed) == [(2, "statement_not_read"), (10, "balance_mismatch")]
    mismatch = parsed.problems[1]
    assert mismatch.params == {
        "opening": 1_000_000,
        "lines": 1_243_500,
        "expected": 2_243_500,
        "stated": 2_250_000,
    }
    assert formats.problem_message(mismatch) == (
        "The statement does not add up: opening balance Rp 1.000.000 plus its lines "
        "Rp 1.243.500 gives Rp 2.243.500, but its closing balance says Rp 2.250.000."
    )


def test_mt940_broken_line_is_reported_with_its_line_number_and_other_statements_kept():
    content = TWO_STATEMENTS.replace(
        ":61:2610011001D6500,00NCHGNONREF//FB02", ":61:26100X1001D6500,00NCHG"
    ).replace(":28C:13/1\n", ":28C:13/1\nhalaman 2 dari 3\n")

    parsed = formats.statement_mt940_parse(content.encode())

    assert parsed.statements == ()
    assert codes(parsed) == [
        (2, "statement_not_read"),
        (8, "tag_unreadable"),
        (13, "statement_not_read"),
        (16, "line_unreadable"),
    ]
    assert formats.problem_message(parsed.problems[1]) == (
        "The :61: line cannot be read: 26100X1001D6500,00NCHG"
    )
    assert parsed.problems[3].text == "halaman 2 dari 3"

    only_first_broken = TWO_STATEMENTS.replace(":60F:C260930IDR1", ":60F:C260931IDR1")
    parsed = formats.statement_mt940_parse(only_first_broken.encode())
    assert [s.reference for s in parsed.statements] == ["STM0002"]
    assert codes(parsed) == [(2, "statement_not_read"), (5, "date_invalid")]


def test_mt940_line_only_the_library_refuses_is_still_a_problem_at_its_line():
    content = TWO_STATEMENTS.replace(":28C:13/1\n", ":28C:13/1\n:13D:gisteren\n")

    parsed = formats.statement_mt940_parse(content.encode())

    assert [s.reference for s in parsed.statements] == ["STM0001"]
    assert codes(parsed) == [(13, "statement_not_read"), (16, "tag_unreadable")]
    assert parsed.problems[1].params == {"tag": ":13D:", "value": "gisteren"}


def test_mt940_in_another_currency_is_refused():
    content = TWO_STATEMENTS.replace("IDR", "USD", 2)

    parsed = formats.statement_mt940_parse(content.encode())

    assert [s.reference for s in parsed.statements] == ["STM0002"]
    assert codes(parsed) == [
        (2, "statement_not_read"),
        (5, "currency_not_idr"),
        (10, "currency_not_idr"),
    ]
    assert parsed.problems[1].params == {"currency": "USD"}


def test_mt940_fraction_of_a_rupiah_is_refused():
    content = TWO_STATEMENTS.replace("D6500,00NCHG", "D6500,50NCHG").replace(
        "IDR2243500,\n", "IDR2243499,50\n"
    )

    parsed = formats.statement_mt940_parse(content.encode())

    assert [s.reference for s in parsed.statements] == ["STM0002"]
    assert (8, "amount_fraction") in codes(parsed) and (10, "amount_fraction") in codes(parsed)


def test_mt940_missing_fields_and_no_statement_are_problems_not_exceptions():
    missing = formats.statement_mt940_parse(b":20:X\n:25:9000011201\n:61:2610011001C5,00NTRF\n")
    assert codes(missing) == [
        (1, "statement_not_read"),
        (1, "tag_missing"),
        (1, "tag_missing"),
        (1, "tag_missing"),
        (3, "tag_order"),
    ]

    nothing = formats.statement_mt940_parse(b":25:9000011201\n:28C:1\n")
    assert nothing.statements == ()
    assert codes(nothing) == [
        (1, "tag_outside_statement"),
        (1, "no_statement"),
        (2, "tag_outside_statement"),
    ]


def test_mt940_statement_level_86_is_not_glued_to_the_last_line():
    content = TWO_STATEMENTS.replace(
        ":62F:C261002IDR2244000,00\n", ":62F:C261002IDR2244000,00\n:86:Saldo akhir bulan\n"
    )
    parsed = formats.statement_mt940_parse(content.encode())
    assert parsed.statements[1].lines[0].text == "Bunga"


def test_files_too_large_or_not_utf8_are_refused_before_parsing(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr("mt940.parse_statements", never)
    with pytest.raises(BankFileError) as refused:
        formats.statement_mt940_parse(b":20:X\n" + b" " * (5 * 1024 * 1024))
    assert refused.value.code == "file_too_large"
    with pytest.raises(BankFileError) as refused:
        formats.statement_parse(
            "bri.sta", TWO_STATEMENTS.replace("Bunga", "B\xfcnga").encode("cp1252")
        )
    assert refused.value.code == "file_encoding"
    with pytest.raises(BankFileError) as refused:
        formats.statement_parse("empty.sta", b"\n \n")
    assert refused.value.code == "file_empty"


def test_mt940_writer_output_reads_back_as_the_same_statements():
    long_text = "Bantuan iuran untuk LPA " + "Sehat " * 15 + ":20:-{ tidak dibaca sebagai tag"
    written = [
        statement(
            "1",
            1_000_000,
            [
                line(1_250_000, "ASKTRF000001", text=long_text),
                line(-6_500, kind="NCHG", text="Biaya"),
                line(-40_000, "ASKTRF000009", reversal=True),
                line(2_500, kind="NCHG", reversal=True),
            ],
            day=D(2026, 10, 1),
        ),
        statement("2", 2_206_000, [line(1, kind="NINT", day=D(2026, 10, 2))], day=D(2026, 10, 2)),
    ]

    content = formats.statement_mt940_write(written)
    parsed = formats.statement_mt940_parse(content)

    assert parsed.problems == ()
    assert all(len(text) <= 70 for text in content.decode().splitlines())

    def plain(statements):
        return [
            (
                s.account_number,
                s.number,
                s.opening_balance,
                s.closing_balance,
                [
                    (x.value_date, x.amount, x.kind, x.reference, x.text, x.reversal)
                    for x in s.lines
                ],
            )
            for s in statements
        ]

    assert plain(parsed.statements) == plain(written)


# --- statements in CSV, and telling the layouts apart ------------------------------------


def test_csv_statement_reads_balances_and_lines_with_the_same_checks():
    content = (
        b"account_number;statement;record;date;amount;kind;reference;bank_reference;text\n"
        b"9000011201;7;opening;2026-10-01;1000000;;;;\n"
        b"9000011201;7;line;2026-10-02;1250000;NTRF;ASKTRF000001;FB1;Bantuan iuran\n"
        b"9000011201;7;line;2026-10-02;-6500;NCHG;;FB2;'-biaya\n"
        b"9000011201;7;closing;2026-10-02;2243500;;;;\n"
        b"9000011201;8;opening;2026-10-02;2243500;;;;\n"
        b"9000011201;8;line;2026-10-03;1.000;NTRF;;;\n"
        b"9000011201;8;closing;2026-10-03;2244500;;;;\n"
        b"9000011201;9;opening;2026-10-03;2244500;;;;\n"
        b"9000011201;9;closing;2026-10-04;2244501;;;;\n"
        b"9000011201;10;line;2026-10-04;1;NTRF;;;\n"
    )

    parsed = formats.statement_csv_parse(content)

    (good,) = parsed.statements
    assert (good.number, good.opening_balance, good.closing_balance) == ("7", 1_000_000, 2_243_500)
    assert [(x.line, x.amount, x.reference, x.text) for x in good.lines] == [
        (3, 1_250_000, "ASKTRF000001", "Bantuan iuran"),
        (4, -6_500, "", "-biaya"),
    ]
    assert codes(parsed) == [
        (6, "statement_not_read"),
        (7, "amount_invalid"),
        (9, "statement_not_read"),
        (10, "balance_mismatch"),
        (11, "record_outside_statement"),
    ]


def test_csv_statement_writer_output_reads_back():
    written = [statement("1", 0, [line(5_000, "ASKTRF000001", text="=1+1"), line(-1, kind="NCHG")])]
    parsed = formats.statement_csv_parse(formats.statement_csv_write(written))
    assert parsed.problems == ()
    assert [(x.amount, x.text) for x in parsed.statements[0].lines] == [(5_000, "=1+1"), (-1, "")]


def test_statement_parse_tells_mt940_from_csv_by_content():
    mt940_file = formats.statement_parse("a.csv", TWO_STATEMENTS.encode())
    csv_file = formats.statement_parse(
        "a.sta", formats.statement_csv_write([statement("1", 0, [line(5)])])
    )
    assert len(mt940_file.statements) == 2 and len(csv_file.statements) == 1
    bare = TWO_STATEMENTS.split("-}")[0].split("{4:\n")[1]
    assert len(formats.statement_parse("b", b"\r\n" + bare.encode()).statements) == 1
    with pytest.raises(BankFileError) as refused:
        formats.statement_parse("notes.txt", b"hello bank\n")
    assert refused.value.code == "file_format" and "notes.txt" in refused.value.message
