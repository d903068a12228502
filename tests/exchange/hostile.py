"""Hostile import files, built the way an attacker would (tests and benchmarks/bench_limits.py).

Each starts from a genuine openpyxl workbook and replaces one part of the ZIP archive, so the
rest of the file is exactly what a spreadsheet program writes.
"""

from __future__ import annotations

import io
import zipfile

from tests.exchange.helpers import xlsx_bytes

ANSWER_ROWS = [["question_code", "value"], ["GOV.1.a", "3"]]
_SHEET = "xl/worksheets/sheet1.xml"
_STRINGS = "xl/sharedStrings.xml"
_TYPES = "[Content_Types].xml"
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def replace_parts(workbook: bytes, parts: dict[str, bytes]) -> bytes:
    """The workbook with some parts replaced (deflated like any spreadsheet program does)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info.filename))
        for name, data in parts.items():
            target.writestr(name, data)
    return buffer.getvalue()


def shared_strings_bomb(unpacked_mb: int = 60) -> bytes:
    """A workbook whose shared-strings part inflates from under 1 MB to ``unpacked_mb``.

    The sheet's cells refer to the first three shared strings, as Excel writes them; the
    rest of the part is padding deflated at the highest level, as in the attack (1.4 MB →
    420 MB there). The part is streamed into the archive, never held whole in memory.
    """
    base = zipfile.ZipFile(io.BytesIO(xlsx_bytes(ANSWER_ROWS)))
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_MAIN}><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>3</v></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    types = base.read(_TYPES).replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
    )
    replaced = {_SHEET: sheet, _TYPES: types}
    chunk = (b"<si><t>" + b"A" * 1000 + b"</t></si>") * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in base.infolist():
            target.writestr(info.filename, replaced.get(info.filename, base.read(info.filename)))
        with target.open(_STRINGS, "w") as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst {_MAIN}>'.encode())
            part.write(b"<si><t>question_code</t></si><si><t>value</t></si><si><t>GOV.1.a</t></si>")
            for _ in range(unpacked_mb * 1024 * 1024 // len(chunk)):
                part.write(chunk)
            part.write(b"</sst>")
    return buffer.getvalue()


def sheet_declaring(rows: int, columns_ref: str = "B") -> bytes:
    """A small workbook whose sheet declares ``rows`` rows in its dimension."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_MAIN}>'
        f'<dimension ref="A1:{columns_ref}{rows}"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>question_code</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>value</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    return replace_parts(xlsx_bytes(ANSWER_ROWS), {_SHEET: sheet})


def sheet_with_row_number(number: int) -> bytes:
    """A workbook with no dimension whose second row is numbered ``number`` (the gap is empty)."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_MAIN}><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>question_code</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>value</t></is></c></row>'
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>GOV.1.a</t></is></c>'
        f'<c r="B{number}"><v>3</v></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    return replace_parts(xlsx_bytes(ANSWER_ROWS), {_SHEET: sheet})


def sheet_with_entities() -> bytes:
    """A "billion laughs" sheet: nested entity declarations, expanded in a cell."""
    laughs = "".join(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<!DOCTYPE worksheet [<!ENTITY lol0 "lol">{laughs}]>'
        f"<worksheet {_MAIN}><sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>question_code</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>value</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>GOV.1.a</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    return replace_parts(xlsx_bytes(ANSWER_ROWS), {_SHEET: sheet})


def deep_json(depth: int = 100_000) -> bytes:
    """An API body nesting ``depth`` arrays inside its ``answers`` list."""
    return b'{"base_revision": 0, "answers": ' + b"[" * depth + b"]" * depth + b"}"


def sheet_lying_about_its_size(rows: int) -> bytes:
    """A workbook whose sheet declares two rows (``A1:B2``) but holds ``rows`` data rows."""
    body = b"".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>GOV.1.a</t></is></c>'
        f'<c r="B{n}"><v>3</v></c></row>'.encode()
        for n in range(2, rows + 2)
    )
    sheet = (
        (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_MAIN}>'
            '<dimension ref="A1:B2"/><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>question_code</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>value</t></is></c></row>'
        ).encode()
        + body
        + b"</sheetData></worksheet>"
    )
    return replace_parts(xlsx_bytes(ANSWER_ROWS), {_SHEET: sheet})
