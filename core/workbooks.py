"""The one way an uploaded Excel workbook is read: bounded in size, memory and time, or refused.

Every upload of a workbook (the score card, the household import) goes through `open_workbook`.
It refuses, with a Vietnamese message and before any XML is parsed:
- a file over `WORKBOOK_MAX_BYTES`, a file whose name is not `.xlsx`, a macro-enabled file
  (`.xlsm`/`.xltm`, a `vbaProject.bin` part, a macroEnabled content type), an old `.xls`, an
  encrypted workbook (Excel wraps those in an OLE container), a file that is not a zip;
- a zip whose central directory announces too much: the sum of the parts' uncompressed sizes, one
  part's size, or one part's compression ratio over its cap (a zip bomb, a huge shared-strings
  part), read from the directory without inflating anything.
Then it reads the sheets as a stream (the XML is parsed chunk by chunk and each cell is dropped once
read), and stops at the first cell (with a value or only a style) beyond `WORKBOOK_MAX_COLUMNS` or
`WORKBOOK_MAX_ROWS`: a 2,000,000-cell row is refused after the first few columns. The number of
cells (`WORKBOOK_MAX_CELLS`) and of XML tags in a part (4 per allowed cell) bound the parse time.

Rows come back as plain values (str, int, float, bool, date, datetime or None) with the sheet name
and the 1-based Excel row number, so a caller reports "sheet, row, column". Every failure is a
`WorkbookError` (a ValidationError): services let it through and views answer 400 with it.
Why a reader of our own and not openpyxl or python-calamine: docs/decisions/0006.
"""

import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat
from xml.parsers.expat import ExpatError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

CellValue = str | int | float | bool | date | datetime | None

CHUNK = 1 << 16
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam")
# A part this small is not worth a ratio check: tiny XML parts compress 50:1 and are harmless.
RATIO_FLOOR_BYTES = 1 << 20
MAX_PARTS = 2000
# Content types, relationships, workbook and styles are parsed whole: they must stay small.
MAX_PACKAGE_PART_BYTES = 8 << 20
# Each shared string is a Python str (about 60 bytes at least): this bounds their memory.
MAX_SHARED_STRINGS = 1_000_000
# A cell with a value is 4 tags (`<c><v></v></c>`), an inline string 6: 4 per cell allowed cells
# leaves room for rows and inline strings while bounding parse time (see `make bench-uploads`).
TAGS_PER_CELL = 4
# A part that does not inflate as its directory entry says (bad CRC, cut or corrupt deflate data).
ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError)
REL_TYPE_OFFICE = "/officeDocument"
WINDOWS_EPOCH = datetime(1899, 12, 30)
MAC_EPOCH = datetime(1904, 1, 1)


class WorkbookError(ValidationError):
    """A workbook refused, with the reason in Vietnamese (and a `code` for tests and logs)."""


@dataclass(frozen=True)
class WorkbookLimits:
    max_bytes: int
    max_uncompressed_bytes: int
    max_part_bytes: int
    max_ratio: int
    max_rows: int
    max_columns: int
    max_cells: int

    @classmethod
    def from_settings(cls) -> "WorkbookLimits":
        return cls(
            max_bytes=settings.WORKBOOK_MAX_BYTES,
            max_uncompressed_bytes=settings.WORKBOOK_MAX_UNCOMPRESSED_BYTES,
            max_part_bytes=settings.WORKBOOK_MAX_PART_BYTES,
            max_ratio=settings.WORKBOOK_MAX_RATIO,
            max_rows=settings.WORKBOOK_MAX_ROWS,
            max_columns=settings.WORKBOOK_MAX_COLUMNS,
            max_cells=settings.WORKBOOK_MAX_CELLS,
        )


@dataclass(frozen=True)
class SheetRow:
    sheet: str
    number: int  # the Excel row number, 1-based
    values: list[CellValue]  # column A first; trailing empty cells dropped

    def get(self, column: int) -> CellValue:
        """The value in a 0-based column, None past the end of the row."""
        return self.values[column] if column < len(self.values) else None


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.1f}".replace(".", ",")


def _macro_message() -> str:
    return _("Không nhận tệp Excel có macro (.xlsm). Hãy lưu lại thành Excel Workbook (.xlsx).")


def _refuse(message: str, code: str) -> WorkbookError:
    return WorkbookError(message, code=code)


def _broken(detail: str = "") -> WorkbookError:
    message = _("Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx, không đọc được.")
    if detail:
        message += " " + _("(Chỗ hỏng: %(detail)s.)") % {"detail": detail}
    return _refuse(message, "broken")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _file_size(file: IO[bytes]) -> int:
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


def check_name(name: str) -> None:
    """Refuse by extension: macros, old binary Excel, text files; only .xlsx goes on."""
    lowered = name.lower().strip()
    if lowered.endswith(MACRO_EXTENSIONS):
        raise _refuse(_macro_message(), "macro")
    if lowered.endswith((".xls", ".xlt")):
        raise _refuse(
            _("Không nhận tệp Excel 97-2003 (.xls). Hãy mở tệp và lưu lại thành .xlsx."),
            "not_xlsx",
        )
    if not lowered.endswith(".xlsx"):
        raise _refuse(_("Chỉ nhận tệp Excel (.xlsx)."), "not_xlsx")


class WorkbookReader:
    """An opened, checked workbook: its sheet names, and each sheet's rows as a bounded stream."""

    def __init__(self, archive: zipfile.ZipFile, limits: WorkbookLimits) -> None:
        self._zip = archive
        self.limits = limits
        self._parts = {info.filename: info for info in archive.infolist()}
        self._sheets: dict[str, str] = {}
        self._strings: list[str] | None = None
        self._strings_part: str | None = None
        self._date_styles: list[bool] = []
        self._epoch = WINDOWS_EPOCH
        self._cells = 0  # cell elements met so far, in every sheet read
        self._read_package()

    # --- the package: small parts, parsed whole --------------------------------------------

    def _small_xml(self, part: str) -> Element:
        info = self._parts.get(part)
        if info is None:
            raise _broken(_("thiếu phần %(part)s") % {"part": part})
        if info.file_size > MAX_PACKAGE_PART_BYTES:
            raise _broken(_("phần %(part)s quá lớn") % {"part": part})
        try:
            data = self._zip.read(part)
        except ZIP_READ_ERRORS as exc:
            raise _broken(part) from exc
        parser = _parser(part, namespaces=True)
        builder = TreeBuilder()
        parser.StartElementHandler = builder.start
        parser.EndElementHandler = builder.end
        parser.CharacterDataHandler = builder.data
        try:
            parser.Parse(data, True)
            return builder.close()
        except (ExpatError, AssertionError, IndexError) as exc:
            raise _broken(_("%(part)s, %(error)s") % {"part": part, "error": exc}) from exc

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type, target part) for a part such as `xl/workbook.xml`."""
        folder, _sep, name = part.rpartition("/")
        rels_part = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        if rels_part not in self._parts:
            return {}
        found = {}
        for rel in self._small_xml(rels_part):
            target = rel.get("Target", "")
            pieces = [] if target.startswith("/") or not folder else folder.split("/")
            for piece in target.split("/"):
                if piece == "..":
                    if pieces:
                        pieces.pop()
                elif piece and piece != ".":
                    pieces.append(piece)
            found[rel.get("Id", "")] = (rel.get("Type", ""), "/".join(pieces))
        return found

    def _read_package(self) -> None:
        if "[Content_Types].xml" not in self._parts:
            raise _refuse(
                _("Tệp không phải là tệp Excel (.xlsx): thiếu phần [Content_Types].xml."),
                "not_xlsx",
            )
        types = self._small_xml("[Content_Types].xml")
        content_types = [t.get("ContentType", "").lower() for t in types]
        if any("macroenabled" in t or "vbaproject" in t for t in content_types):
            raise _refuse(_macro_message(), "macro")
        workbook_part = next(
            (target for kind, target in self._rels("").values() if kind.endswith(REL_TYPE_OFFICE)),
            "xl/workbook.xml",
        )
        if workbook_part not in self._parts:
            raise _refuse(
                _("Tệp không phải là tệp Excel (.xlsx): không có phần bảng tính."), "not_xlsx"
            )
        workbook_rels = self._rels(workbook_part)
        for element in self._small_xml(workbook_part).iter():
            tag = _local(element.tag)
            if tag == "workbookPr" and element.get("date1904", "").lower() in {"1", "true"}:
                self._epoch = MAC_EPOCH
            elif tag == "sheet":
                rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
                kind, target = workbook_rels.get(rel_id, ("", ""))
                if kind.endswith("/worksheet"):
                    if target not in self._parts:
                        raise _broken(_("thiếu phần %(part)s") % {"part": target})
                    self._sheets[element.get("name", "")] = target
        for kind, target in workbook_rels.values():
            if kind.endswith("/sharedStrings") and target in self._parts:
                self._strings_part = target
            elif kind.endswith("/styles") and target in self._parts:
                self._date_styles = self._read_date_styles(target)

    def _read_date_styles(self, part: str) -> list[bool]:
        """For each cell style (the `s` of a cell), whether its number format shows a date."""
        root = self._small_xml(part)
        custom = {}
        dates = []
        for element in root:
            if _local(element.tag) == "numFmts":
                for fmt in element:
                    custom[fmt.get("numFmtId", "")] = fmt.get("formatCode", "")
        for element in root:
            if _local(element.tag) == "cellXfs":
                for xf in element:
                    fmt_id = xf.get("numFmtId", "0")
                    code = custom.get(fmt_id)
                    if code is None and fmt_id.isdigit():
                        code = BUILTIN_FORMATS.get(int(fmt_id), "General")
                    dates.append(bool(code) and is_date_format(code))
        return dates

    # --- the big parts: streamed through expat ------------------------------------------------

    def _stream(self, part: str, parser: Any, ready: list[Any]) -> Iterator[Any]:
        """Feed a part to an expat parser chunk by chunk, yielding what its handlers produced."""

        # Parsing time grows with the number of tags, whatever they are (values, empty styled
        # cells, unknown elements): a budget on `<` counted in C before each chunk is parsed.
        budget = TAGS_PER_CELL * self.limits.max_cells
        tags = 0
        try:
            with self._zip.open(part) as stream:
                while chunk := stream.read(CHUNK):
                    tags += chunk.count(b"<")
                    if tags > budget:
                        raise _refuse(
                            _(
                                "Tệp Excel quá phức tạp (phần %(part)s có quá %(max)s thẻ XML): "
                                "tệp bị từ chối."
                            )
                            % {"part": part, "max": f"{budget:,}".replace(",", ".")},
                            "too_complex",
                        )
                    parser.Parse(chunk, False)
                    yield from ready
                    ready.clear()
                parser.Parse(b"", True)
                yield from ready
                ready.clear()
        except ExpatError as exc:
            raise _broken(_("%(part)s, %(error)s") % {"part": part, "error": exc}) from exc
        except ZIP_READ_ERRORS as exc:
            raise _broken(part) from exc

    def _shared_strings(self) -> list[str]:
        if self._strings is not None:
            return self._strings
        strings: list[str] = []
        if self._strings_part is not None:
            parser = _parser(self._strings_part)
            ready: list[str] = []
            pieces: list[str] = []
            state = {"text": False, "skip": 0}

            def start(name: str, _attrs: dict[str, str]) -> None:
                tag = _local(name)
                if tag == "t" and not state["skip"]:
                    state["text"] = True
                elif tag == "rPh":  # phonetic guide text: not part of the value
                    state["skip"] += 1

            def end(name: str) -> None:
                tag = _local(name)
                if tag == "t":
                    state["text"] = False
                elif tag == "rPh":
                    state["skip"] -= 1
                elif tag == "si":
                    ready.append("".join(pieces))
                    pieces.clear()

            def data(text: str) -> None:
                if state["text"]:
                    pieces.append(text)

            parser.StartElementHandler = start
            parser.EndElementHandler = end
            parser.CharacterDataHandler = data
            for text in self._stream(self._strings_part, parser, ready):
                strings.append(text)
                if len(strings) > MAX_SHARED_STRINGS:
                    raise _refuse(
                        _("Tệp Excel có quá %(max)d chuỗi chữ khác nhau: tệp bị từ chối.")
                        % {"max": MAX_SHARED_STRINGS},
                        "too_many_strings",
                    )
        self._strings = strings
        return strings

    @property
    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def rows(self, sheet: str) -> Iterator[SheetRow]:
        """The rows of a sheet that hold a value, in order, within the row and column caps.

        One expat pass with small handlers: a cell is turned into a value when it closes and
        only the current row's values are kept, so memory does not grow with the sheet.
        """
        part = self._sheets[sheet]
        strings = self._shared_strings()
        date_styles = self._date_styles
        max_rows, max_columns = self.limits.max_rows, self.limits.max_columns
        max_cells = self.limits.max_cells
        ready: list[SheetRow] = []
        pieces: list[str] = []
        # Current row number, current column, the cell's type and style, collecting text?
        row_number = 0
        column = 0
        kind = "n"
        style: str | None = None
        collect = False
        has_text = False
        values: dict[int, CellValue] = {}
        local = _LOCAL_CACHE
        columns = _COLUMN_CACHE

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal row_number, column, kind, style, collect, has_text, values
            tag = local.get(name) or _local_cached(name)
            if tag == "c":
                reference = attrs.get("r")
                if reference:
                    letters = reference.rstrip(DIGITS)
                    column = columns.get(letters) or _column_cached(letters)
                else:
                    column += 1
                # Any cell past the caps, even an empty styled one: a sheet of millions of empty
                # cells costs as much time to parse as one of values.
                if column > max_columns:
                    raise _refuse(
                        _("Trang %(sheet)s, dòng %(row)d có ô ở quá %(max)d cột: tệp bị từ chối.")
                        % {"sheet": sheet, "row": row_number, "max": max_columns},
                        "too_many_columns",
                    )
                if row_number > max_rows:
                    raise _refuse(
                        _("Trang %(sheet)s có ô ở quá %(max)d dòng: tệp bị từ chối.")
                        % {"sheet": sheet, "max": max_rows},
                        "too_many_rows",
                    )
                self._cells += 1
                if self._cells > max_cells:
                    raise _refuse(
                        _("Tệp Excel có quá %(max)s ô: tệp bị từ chối.")
                        % {"max": f"{max_cells:,}".replace(",", ".")},
                        "too_many_cells",
                    )
                kind = attrs.get("t", "n")
                style = attrs.get("s")
                has_text = False
                pieces.clear()
            elif tag == "v" or (tag == "t" and kind == "inlineStr"):
                collect = True
                has_text = True
            elif tag == "row":
                reference = attrs.get("r")
                row_number = (
                    int(reference) if reference and reference.isdigit() else (row_number + 1)
                )
                column = 0
                values = {}
            elif tag == "rPh":
                collect = False

        def end(name: str) -> None:
            nonlocal collect
            tag = local.get(name) or _local_cached(name)
            if tag == "c":
                collect = False
                if not has_text:
                    return
                raw = pieces[0] if len(pieces) == 1 else "".join(pieces)
                value: CellValue
                if kind == "s" and raw.isdigit() and int(raw) < len(strings):
                    value = strings[int(raw)]  # the common cases first, without a call
                elif kind == "n" and style is None and raw.isdigit():
                    value = int(raw)
                else:
                    value = self._cell_value(raw, kind, style, date_styles, strings)
                    if value is None:
                        return
                values[column] = value
            elif tag == "v" or tag == "t":
                collect = False
            elif tag == "row" and values:
                width = max(values)
                ready.append(
                    SheetRow(sheet, row_number, [values.get(i) for i in range(1, width + 1)])
                )

        def data(text: str) -> None:
            if collect:
                pieces.append(text)

        parser = _parser(part)
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = data
        yield from self._stream(part, parser, ready)

    def _cell_value(
        self,
        raw: str,
        kind: str,
        style: str | None,
        date_styles: list[bool],
        strings: list[str],
    ) -> CellValue:
        try:
            if kind == "s":
                return strings[int(raw)]
            if kind in ("inlineStr", "str", "e"):
                return raw
            if kind == "b":
                return raw.strip() in ("1", "true")
            if kind == "d":
                return datetime.fromisoformat(raw.strip())
            if not raw:
                return None
            integral = raw.isdigit() or (raw[:1] == "-" and raw[1:].isdigit())
            number: int | float = int(raw) if integral else float(raw)
        except (ValueError, IndexError) as exc:
            raise _broken(_("giá trị ô không đọc được: %(raw)s") % {"raw": raw[:20]}) from exc
        if style and style.isdigit() and int(style) < len(date_styles) and date_styles[int(style)]:
            return self._as_date(number)
        return number

    def _as_date(self, serial: int | float) -> date | datetime | int | float:
        if not 0 <= serial < 2_958_466:  # past 31/12/9999: leave the number as it is
            return serial
        if self._epoch == WINDOWS_EPOCH and serial < 60:
            serial += 1  # Excel counts a 29/02/1900 that never was
        # Excel keeps times to the millisecond; the float's last digits are noise.
        moment = self._epoch + timedelta(milliseconds=round(serial * 86_400_000))
        if moment.hour == moment.minute == moment.second == moment.microsecond == 0:
            return moment.date()
        return moment

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> "WorkbookReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _parser(part: str, *, namespaces: bool = False) -> Any:
    """An expat parser that refuses any DOCTYPE: no entity of any kind is ever declared.

    OOXML parts never carry a DTD; refusing it shuts out entity expansion ("billion laughs") and
    external entities whatever the encoding of the part, where a byte search would not.
    """

    def no_doctype(*_args: object) -> None:
        raise _broken(_("%(part)s có khai báo DOCTYPE") % {"part": part})

    parser = expat.ParserCreate(namespace_separator="}") if namespaces else expat.ParserCreate()
    parser.StartDoctypeDeclHandler = no_doctype
    parser.buffer_text = True
    return parser


_LOCAL_CACHE: dict[str, str] = {}
_COLUMN_CACHE: dict[str, int] = {}
DIGITS = "0123456789"


def _column_cached(letters: str) -> int:
    index = _column_index(letters)
    if len(_COLUMN_CACHE) < 20_000:
        _COLUMN_CACHE[letters] = index
    return index


def _local_cached(name: str) -> str:
    """A tag without its namespace prefix (`x:c` → `c`): some generators write prefixes."""
    tag = name.rpartition(":")[2]
    if len(_LOCAL_CACHE) < 1000:
        _LOCAL_CACHE[name] = tag
    return tag


def _column_index(reference: str) -> int:
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        else:
            break
    return index


def _check_directory(archive: zipfile.ZipFile, limits: WorkbookLimits) -> None:
    """The central directory's promises, checked before a byte is inflated."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise _broken(_("quá nhiều phần trong tệp"))
    too_big = _(
        "Tệp Excel khi giải nén quá lớn (%(size)s MB, tối đa %(max)s MB): "
        "có thể là tệp độc hại, tệp bị từ chối."
    )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _refuse(_("Tệp Excel có mật khẩu: hãy bỏ mật khẩu rồi tải lên lại."), "encrypted")
        if info.filename.lower().endswith("vbaproject.bin"):
            raise _refuse(_macro_message(), "macro")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _broken(_("kiểu nén lạ"))
        if info.file_size > limits.max_part_bytes:
            raise _refuse(
                too_big % {"size": _mb(info.file_size), "max": _mb(limits.max_part_bytes)},
                "too_large_unzipped",
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise _refuse(
                _(
                    "Tệp Excel có phần nén bất thường (tỉ lệ nén quá %(ratio)d lần): "
                    "có thể là tệp độc hại, tệp bị từ chối."
                )
                % {"ratio": limits.max_ratio},
                "zip_ratio",
            )
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise _refuse(
                too_big % {"size": _mb(total), "max": _mb(limits.max_uncompressed_bytes)},
                "too_large_unzipped",
            )


def open_workbook(
    file: IO[bytes], *, name: str, limits: WorkbookLimits | None = None
) -> WorkbookReader:
    """Check an uploaded workbook and open it for reading, or raise WorkbookError."""
    limits = limits or WorkbookLimits.from_settings()
    check_name(name)
    size = _file_size(file)
    if size > limits.max_bytes:
        raise _refuse(
            _("Tệp quá lớn (%(size)s MB): chỉ nhận tệp tối đa %(max)s MB.")
            % {"size": _mb(size), "max": _mb(limits.max_bytes)},
            "too_large",
        )
    head = file.read(8)
    file.seek(0)
    if head.startswith(OLE_MAGIC):
        raise _refuse(
            _(
                "Tệp Excel có mật khẩu hoặc là tệp Excel 97-2003 (.xls): hãy bỏ mật khẩu và "
                "lưu lại thành .xlsx."
            ),
            "encrypted",
        )
    not_xlsx = _("Tệp không phải là tệp Excel (.xlsx) đọc được.")
    if not head.startswith(ZIP_MAGIC):
        raise _refuse(not_xlsx, "not_xlsx")
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _refuse(not_xlsx, "not_xlsx") from exc
    try:
        _check_directory(archive, limits)
        return WorkbookReader(archive, limits)
    except BaseException:
        archive.close()
        raise
