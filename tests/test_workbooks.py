"""The safe workbook reader (core/workbooks.py): values, row numbers, and every cap and refusal."""

import io
import zipfile
from dataclasses import replace
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from core.workbooks import SheetRow, WorkbookError, WorkbookLimits, open_workbook
from tools import hostile_workbooks as hostile

LIMITS = WorkbookLimits(
    max_bytes=10 << 20,
    max_uncompressed_bytes=120 << 20,
    max_part_bytes=80 << 20,
    max_ratio=200,
    max_rows=50_000,
    max_columns=100,
    max_cells=500_000,
)


def read(content: bytes, name: str = "tep.xlsx", limits: WorkbookLimits = LIMITS):
    with open_workbook(io.BytesIO(content), name=name, limits=limits) as workbook:
        return {sheet: list(workbook.rows(sheet)) for sheet in workbook.sheet_names}


def refusal(content: bytes, name: str = "tep.xlsx", limits: WorkbookLimits = LIMITS):
    with pytest.raises(WorkbookError) as caught:
        read(content, name, limits)
    return caught.value.code, caught.value.messages[0]


def test_a_workbook_written_by_openpyxl_reads_back_as_plain_values():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Hộ"
    sheet.append(["Mã hộ", "Chủ hộ", "Ngày sinh", "Điểm", "Nghèo"])
    sheet.append([1, "Nguyễn Văn A & con", date(1970, 5, 17), 12.5, True])
    sheet.append([])  # an empty row is skipped, the numbering is Excel's
    sheet.append([3, None, datetime(2025, 1, 2, 8, 30), -4, False])
    workbook.create_sheet("Trống")
    buffer = io.BytesIO()
    workbook.save(buffer)

    rows = read(buffer.getvalue())
    assert list(rows) == ["Hộ", "Trống"]
    assert rows["Trống"] == []
    assert rows["Hộ"] == [
        SheetRow("Hộ", 1, ["Mã hộ", "Chủ hộ", "Ngày sinh", "Điểm", "Nghèo"]),
        SheetRow("Hộ", 2, [1, "Nguyễn Văn A & con", date(1970, 5, 17), 12.5, True]),
        SheetRow("Hộ", 4, [3, None, datetime(2025, 1, 2, 8, 30), -4, False]),
    ]
    assert rows["Hộ"][2].get(1) is None and rows["Hộ"][2].get(99) is None


def test_shared_inline_and_rich_strings_and_prefixed_tags_are_read():
    sheet = (
        '<row r="2"><c r="B2" t="s"><v>1</v></c><c r="C2" t="inlineStr"><is><t>trực tiếp</t>'
        '</is></c></row><row><c t="s"><v>0</v></c><c><v>1E3</v></c></row>'
    )
    strings = iter(
        [
            "<si><t>một</t></si>",
            "<si><r><t>hai </t></r><r><t>phần</t></r><rPh><t>phonetic</t></rPh></si>",
        ]
    )
    rows = read(hostile.build_xlsx({"S": iter([sheet])}, strings=strings))["S"]
    assert rows == [
        SheetRow("S", 2, [None, "hai phần", "trực tiếp"]),
        SheetRow("S", 3, ["một", 1000.0]),
    ]


def test_the_18000_row_household_list_reads_whole():
    rows = read(hostile.realistic_households(18_000, 20))["Ho"]
    assert len(rows) == 18_001
    last = rows[-1]
    assert last.number == 18_001 and len(last.values) == 20
    assert last.values[1] == "Trần Văn Hộ 18001" and isinstance(last.values[4], date)


def test_a_two_million_cell_row_stops_at_the_column_cap():
    code, message = refusal(hostile.wide_row(2_000_000))
    assert code == "too_many_columns"
    assert message == "Trang Diem, dòng 1 có ô ở quá 100 cột: tệp bị từ chối."


def test_cells_past_the_row_or_column_cap_are_refused_even_when_only_styled():
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 6))
    limits = replace(LIMITS, max_rows=5, max_columns=3)
    # Within the caps, and a row past them that has no cell (a row height, say): read.
    spacer = '<row r="900" ht="30" customHeight="1"/>'
    assert len(read(hostile.build_xlsx({"S": iter([rows + spacer])}), limits=limits)["S"]) == 5
    more = rows + '<row r="6"><c r="A6"><v>6</v></c></row>'
    code, message = refusal(hostile.build_xlsx({"S": iter([more])}), limits=limits)
    assert code == "too_many_rows"
    assert message == "Trang S có ô ở quá 5 dòng: tệp bị từ chối."
    # An empty styled cell costs as much to parse as a value: past the caps it is refused too.
    styled = rows + '<row r="6"><c r="A6" s="1"/></row>'
    assert refusal(hostile.build_xlsx({"S": iter([styled])}), limits=limits)[0] == ("too_many_rows")
    wide = '<row r="1"><c r="A1"><v>1</v></c><c r="D1" s="1"/></row>'
    code, message = refusal(hostile.build_xlsx({"S": iter([wide])}), limits=limits)
    assert code == "too_many_columns"
    assert message == "Trang S, dòng 1 có ô ở quá 3 cột: tệp bị từ chối."


def test_the_zip_directory_caps_refuse_before_inflating():
    # 100 MB of shared strings: over the part cap.
    code, message = refusal(hostile.huge_shared_strings(100))
    assert code == "too_large_unzipped"
    assert message.startswith("Tệp Excel khi giải nén quá lớn (100,0 MB, tối đa 80,0 MB)")
    # The sum of the parts, with a smaller cap than one part.
    small = replace(LIMITS, max_uncompressed_bytes=1 << 20)
    assert refusal(hostile.realistic_households(2_000, 20), limits=small)[0] == (
        "too_large_unzipped"
    )


def test_a_part_compressed_beyond_the_ratio_cap_is_refused():
    content = hostile.huge_shared_strings(20)  # 20 MB that deflate ~1000:1
    code, message = refusal(content)
    assert code == "zip_ratio"
    assert "tỉ lệ nén quá 200 lần" in message


def test_macros_are_refused_by_extension_part_or_content_type():
    assert refusal(hostile.macro_enabled(), "tep.xlsm")[0] == "macro"
    assert refusal(hostile.macro_enabled(), "tep.xltm")[0] == "macro"
    assert refusal(hostile.macro_enabled())[0] == "macro"  # vbaProject.bin
    only_type = hostile.build_xlsx({"S": iter([])}, main_type=hostile.MACRO_MAIN_TYPE)
    assert refusal(only_type)[0] == "macro"


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"Ma ho,Ten\n1,A\n", "tep.csv", "not_xlsx"),
        (b"Ma ho,Ten\n1,A\n", "tep.xlsx", "not_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "tep.xls", "not_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "tep.xlsx", "encrypted"),
        (b"PK\x03\x04 truncated zip", "tep.xlsx", "not_xlsx"),
    ],
)
def test_files_that_are_not_xlsx_are_refused(content, name, code):
    assert refusal(content, name)[0] == code


def test_a_file_over_the_size_cap_is_refused_before_it_is_opened():
    code, message = refusal(hostile.over_size(2), limits=replace(LIMITS, max_bytes=1 << 20))
    assert code == "too_large"
    assert message == "Tệp quá lớn (2,0 MB): chỉ nhận tệp tối đa 1,0 MB."


def _zip(parts: dict[str, bytes], *, encrypted: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    content = bytearray(out.getvalue())
    if encrypted:  # set the "encrypted" flag bit in each central directory entry
        at = content.find(b"PK\x01\x02")
        while at != -1:
            content[at + 8] |= 0x1
            at = content.find(b"PK\x01\x02", at + 4)
    return bytes(content)


def _parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_missing_parts_broken_xml_doctype_and_encryption_are_clear_refusals():
    good = _parts(hostile.build_xlsx({"S": iter([hostile.ONE_ROW])}))
    without_types = {k: v for k, v in good.items() if k != "[Content_Types].xml"}
    assert refusal(_zip(without_types))[0] == "not_xlsx"
    without_sheet = {k: v for k, v in good.items() if k != "xl/worksheets/sheet1.xml"}
    code, message = refusal(_zip(without_sheet))
    assert code == "broken" and "thiếu phần xl/worksheets/sheet1.xml" in message
    broken_workbook = {**good, "xl/workbook.xml": b"<workbook><sheets>"}
    assert refusal(_zip(broken_workbook))[0] == "broken"
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="' + hostile.MAIN_NS.encode() + b'"><sheetData><row r="1">'
        b'<c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    code, message = refusal(_zip({**good, "xl/worksheets/sheet1.xml": laughs}))
    assert code == "broken" and "DOCTYPE" in message
    # The same DTD in a UTF-16 workbook part: refused by the parser, not by a byte search.
    workbook16 = good["xl/workbook.xml"].decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    workbook16 = workbook16.replace("?>", '?><!DOCTYPE workbook [<!ENTITY x "y">]>', 1)
    code, message = refusal(_zip({**good, "xl/workbook.xml": workbook16.encode("utf-16")}))
    assert code == "broken" and "xl/workbook.xml có khai báo DOCTYPE" in message
    code, message = refusal(_zip(good, encrypted=True))
    assert code == "encrypted"
    assert message == "Tệp Excel có mật khẩu: hãy bỏ mật khẩu rồi tải lên lại."


def test_a_bad_cell_value_names_what_is_wrong():
    content = hostile.build_xlsx({"S": iter(['<row r="1"><c r="A1" t="s"><v>7</v></c></row>'])})
    code, message = refusal(content)
    assert code == "broken" and "giá trị ô không đọc được: 7" in message


def test_a_part_whose_deflate_data_is_corrupt_is_refused_as_broken():
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r * 7919}</v></c></row>' for r in range(1, 3000))
    content = bytearray(hostile.build_xlsx({"S": iter([rows])}))
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    name_length = int.from_bytes(
        content[info.header_offset + 26 : info.header_offset + 28], "little"
    )
    extra_length = int.from_bytes(
        content[info.header_offset + 28 : info.header_offset + 30], "little"
    )
    data_start = info.header_offset + 30 + name_length + extra_length
    content[data_start] = 0x07  # a deflate block of the reserved type 3: zlib.error on inflating
    code, message = refusal(bytes(content))
    assert code == "broken" and "xl/worksheets/sheet1.xml" in message


def test_the_cell_count_bounds_a_sheet_of_empty_styled_cells():
    limits = replace(LIMITS, max_cells=1_000)
    content = hostile.empty_styled_cells(rows=20, columns=60)  # 1,200 cells, none with a value
    code, message = refusal(content, limits=limits)
    assert code == "too_many_cells"
    assert message == "Tệp Excel có quá 1.000 ô: tệp bị từ chối."
    assert len(read(content, limits=replace(limits, max_cells=1_300))["Diem"]) == 0


def test_the_tag_budget_bounds_a_part_of_unknown_elements():
    limits = replace(LIMITS, max_cells=10_000)  # 40,000 tags a part
    code, message = refusal(hostile.unknown_elements(50_000), limits=limits)
    assert code == "too_complex"
    assert message == (
        "Tệp Excel quá phức tạp (phần xl/worksheets/sheet2.xml có quá 40.000 thẻ XML): "
        "tệp bị từ chối."
    )
    assert read(hostile.unknown_elements(30_000), limits=limits)["Diem"][0].values == [1]
