"""Workbooks that uploads must survive, built cheaply: the big parts are streamed into the zip.

Used by the upload tests and by `make bench-uploads`. Each builder returns the file's bytes. The
XML is written part by part (`ZipFile.open(name, "w")`), so a 2,000,000-cell row or a 200 MB
shared-strings part costs the builder a few MB of memory, not the size of the XML.
"""

import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAIN_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
ONE_ROW = '<row r="1"><c r="A1"><v>1</v></c></row>'
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _content_types(sheets: int, main_type: str, strings: bool, extra: str = "") -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
        for i in range(1, sheets + 1)
    )
    if strings:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
    return (
        XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{STYLES_TYPE}"/>'
        f"{overrides}{extra}</Types>"
    )


def _workbook_parts(names: list[str], strings: bool) -> dict[str, str]:
    sheets = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml" Type="{REL_NS}/worksheet"/>'
        for i in range(1, len(names) + 1)
    )
    n = len(names)
    rels += f'<Relationship Id="rId{n + 1}" Target="styles.xml" Type="{REL_NS}/styles"/>'
    if strings:
        rels += (
            f'<Relationship Id="rId{n + 2}" Target="sharedStrings.xml" '
            f'Type="{REL_NS}/sharedStrings"/>'
        )
    return {
        "_rels/.rels": (
            XML_HEAD + f'<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Target="xl/workbook.xml" '
            f'Type="{REL_NS}/officeDocument"/></Relationships>'
        ),
        "xl/workbook.xml": (
            XML_HEAD + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f"<sheets>{sheets}</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            XML_HEAD + f'<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'
        ),
        # Style 0: general; style 1: a date (built-in format 14, dd/mm/yyyy in a Vietnamese Excel).
        "xl/styles.xml": (
            XML_HEAD + f'<styleSheet xmlns="{MAIN_NS}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            "</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" xfId="0"/>'
            '<xf numFmtId="14" xfId="0" applyNumberFormat="1"/></cellXfs>'
            "</styleSheet>"
        ),
    }


def _write_stream(archive: zipfile.ZipFile, name: str, chunks: Iterable[str]) -> None:
    buffer: list[str] = []
    size = 0
    with archive.open(name, "w", force_zip64=True) as part:
        for chunk in chunks:
            buffer.append(chunk)
            size += len(chunk)
            if size > 1 << 16:
                part.write("".join(buffer).encode())
                buffer, size = [], 0
        part.write("".join(buffer).encode())


def _sheet(rows: Iterable[str]) -> Iterator[str]:
    yield XML_HEAD + f'<worksheet xmlns="{MAIN_NS}"><sheetData>'
    yield from rows
    yield "</sheetData></worksheet>"


def build_xlsx(
    sheets: dict[str, Iterable[str]],
    *,
    strings: Iterable[str] | None = None,
    main_type: str = MAIN_TYPE,
    extra_parts: dict[str, bytes] | None = None,
    extra_types: str = "",
    level: int = 6,
) -> bytes:
    """A workbook whose sheets are streams of `<row>` XML (and shared strings of `<si>`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr(
            "[Content_Types].xml",
            _content_types(len(sheets), main_type, strings is not None, extra_types),
        )
        for name, text in _workbook_parts(list(sheets), strings is not None).items():
            archive.writestr(name, text)
        for i, rows in enumerate(sheets.values(), 1):
            _write_stream(archive, f"xl/worksheets/sheet{i}.xml", _sheet(rows))
        if strings is not None:
            _write_stream(
                archive,
                "xl/sharedStrings.xml",
                _chain(XML_HEAD + f'<sst xmlns="{MAIN_NS}">', strings, "</sst>"),
            )
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def _chain(head: str, middle: Iterable[str], tail: str) -> Iterator[str]:
    yield head
    yield from middle
    yield tail


def wide_row(cells: int = 2_000_000) -> bytes:
    """A "Diem" sheet with one row of `cells` numbers, without cell references (allowed)."""

    def rows() -> Iterator[str]:
        yield '<row r="1">'
        for start in range(0, cells, 10_000):
            yield "".join(f"<c><v>{i}</v></c>" for i in range(start, min(start + 10_000, cells)))
        yield "</row>"

    return build_xlsx({"Vung": iter([ONE_ROW]), "Diem": rows()}, level=1)


def huge_shared_strings(megabytes: int = 200) -> bytes:
    """A small sheet and a shared-strings part of `megabytes` MB that deflates to about 0.2 MB."""
    block = "<si><t>" + "A" * 1000 + "</t></si>"
    count = megabytes * (1 << 20) // len(block)
    return build_xlsx(
        {"Vung": iter([ONE_ROW]), "Diem": iter(['<row r="1"><c t="s"><v>0</v></c></row>'])},
        strings=(block for _ in range(count)),
        level=9,
    )


def broken_sheet_xml() -> bytes:
    """A valid zip and package whose sheet XML is cut in the middle of a tag."""
    return build_xlsx(
        {
            "Vung": iter([ONE_ROW + '<row r="2"><c r=']),
            "Diem": iter([ONE_ROW]),
        }
    )


def macro_enabled() -> bytes:
    """A workbook carrying a VBA project (what Excel saves as .xlsm)."""
    return build_xlsx(
        {"Vung": iter([ONE_ROW]), "Diem": iter([ONE_ROW])},
        main_type=MACRO_MAIN_TYPE,
        extra_parts={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)},
        extra_types='<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
    )


def over_size(megabytes: int = 11) -> bytes:
    """A workbook larger than the upload cap: a stored (uncompressed) part of filler bytes."""
    out = io.BytesIO(build_xlsx({"Vung": iter([ONE_ROW]), "Diem": iter([ONE_ROW])}))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_STORED) as archive:
        # Stored, not deflated, so the file really is this big.
        archive.writestr("docProps/padding.bin", bytes(range(256)) * (megabytes * 4096))
    return out.getvalue()


def text_renamed() -> bytes:
    """A CSV file that someone renamed to .xlsx."""
    return "Mã hộ,Họ tên chủ hộ\n001,Nguyễn Văn A\n".encode()


def _column(index: int) -> str:
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def realistic_households(rows: int = 18_000, columns: int = 20) -> bytes:
    """A commune's household list: a header, then `rows` rows of text, numbers and dates.

    Text goes through the shared-strings part as Excel writes it (names, villages, addresses);
    a birth date is a date-formatted number; the rest are small integers.
    """
    letters = [_column(i) for i in range(1, columns + 1)]
    strings: list[str] = [f"Cột {i}" for i in range(1, columns + 1)]
    villages = [f"Thôn {i}" for i in range(1, 13)]
    base = len(strings)
    strings.extend(villages)
    first_names = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]

    def sheet_rows() -> Iterator[str]:
        header = "".join(f'<c r="{letters[i]}1" t="s"><v>{i}</v></c>' for i in range(columns))
        yield f'<row r="1">{header}</row>'
        born = date(1950, 1, 1)
        for r in range(2, rows + 2):
            name_index = len(strings)
            strings.append(f"{first_names[r % 10]} Văn Hộ {r}")
            address_index = len(strings)
            strings.append(f"Số {r}, xóm {r % 40}, {villages[r % 12]}")
            serial = (born + timedelta(days=r % 20_000) - date(1899, 12, 30)).days
            cells = [
                f'<c r="A{r}"><v>{r - 1}</v></c>',
                f'<c r="B{r}" t="s"><v>{name_index}</v></c>',
                f'<c r="C{r}" t="s"><v>{base + r % 12}</v></c>',
                f'<c r="D{r}" t="s"><v>{address_index}</v></c>',
                f'<c r="E{r}" s="1"><v>{serial}</v></c>',
                f'<c r="F{r}"><v>{(r * 7919) % 1_000_000_000:012d}</v></c>',
            ]
            cells.extend(
                f'<c r="{letters[i]}{r}"><v>{(r * (i + 3)) % 97}</v></c>' for i in range(6, columns)
            )
            yield f'<row r="{r}">{"".join(cells)}</row>'

    # Rows first (they fill the strings list), then the strings part: keep the sheet in a list.
    sheet = list(sheet_rows())
    return build_xlsx(
        {"Ho": iter(sheet)},
        strings=(f"<si><t>{s}</t></si>" for s in strings),
    )


def empty_styled_cells(rows: int = 38_000, columns: int = 100) -> bytes:
    """A sheet of nothing but empty styled cells, as much as fits in 10 MB: no value anywhere."""
    letters = [_column(i) for i in range(1, columns + 1)]

    def sheet_rows() -> Iterator[str]:
        for r in range(1, rows + 1):
            yield f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="1"/>' for c in letters) + "</row>"

    return build_xlsx({"Vung": iter([ONE_ROW]), "Diem": sheet_rows()}, level=1)


def unknown_elements(count: int = 4_000_000) -> bytes:
    """A sheet whose one row is followed by millions of unknown elements (no cell at all)."""

    def sheet_rows() -> Iterator[str]:
        yield ONE_ROW
        for start in range(0, count, 10_000):
            yield "".join(f'<x a="{i}"/>' for i in range(start, min(start + 10_000, count)))

    return build_xlsx({"Vung": iter([ONE_ROW]), "Diem": sheet_rows()}, level=1)
