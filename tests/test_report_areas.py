"""Urban and rural: the summary and the movement tables split into I. Thành thị (phường, thị trấn)
and II. Nông thôn (xã), with the ethnic-minority households at the start and the end of the
period, on the report page and in the workbook, for both bases.

The province is built by hand (its own tree edition, with districts): Thành phố Sơn Hà has two
phường and a xã, Huyện Lâm Bình a thị trấn and two xã, so each district has a part in each area.
Every household's results are listed in `HOUSEHOLDS`; the expected cells are counted here from
that list, not by the code under test, by the rules of the corrected figures (see
tests/test_report_figures.py): rates only over the communes whose total is known; a household of
the start with no result counted now is pending while it is resident (or has a form), a decrease
when it is gone; a household that moved leaves the old unit (or area) and enters the new one.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from areas.models import AdminUnit, TreeEdition
from areas.services import village_insert
from households.models import Household
from reports.excel.layout import NATION, Signing
from reports.excel.summary import (
    NEAR_POOR_AREAS_SHEET,
    POOR_AREAS_SHEET,
    SUMMARY_AREAS_SHEET,
    SUMMARY_COLUMNS,
    _area_movement_columns,
    report_workbook,
)
from reports.selectors import report_scope
from survey.models import CommuneTotal, ReviewRound, SurveyResponse
from tests.factories import household, result
from tests.test_workbook_render import assert_headers_whole, assert_on_pages
from tests.test_workbook_render import render as render  # the LibreOffice fixture

BASES = {
    "approved": {"approved"},
    "submitted": {"submitted", "agreed", "disputed", "rechecked", "posted", "approved"},
}
TARGETS = ("poor", "near_poor")

# The communes: key, district key, kind, name, resident households (None: not entered).
COMMUNES = [
    ("P1", "D1", "phuong", "Phường Bắc Sơn", 1200),
    ("P2", "D1", "phuong", "Phường Nam Sơn", 900),
    ("X1", "D1", "xa", "Xã Ven Đô", 700),
    ("T1", "D2", "thi_tran", "Thị trấn Lâm", 1500),
    ("X2", "D2", "xa", "Xã Đồi Chè", 800),
    ("X3", "D2", "xa", "Xã Suối Mát", None),  # no total and no households
]
DISTRICTS = [("D1", "thanh_pho", "Thành phố Sơn Hà"), ("D2", "huyen", "Huyện Lâm Bình")]
URBAN = {"P1", "P2", "T1"}
RURAL = {"X1", "X2", "X3"}


@dataclass(frozen=True)
class R:
    """One result: final class, status, head of household from an ethnic minority, members,
    computed class (None: the final one)."""

    final: str
    status: str = "approved"
    minority: bool = False
    members: int = 3
    computed: str | None = None


@dataclass
class H:
    commune: str
    years: dict[int, R] = field(default_factory=dict)
    split: bool = False  # split off another household after the 2024 round
    gone: bool = False  # moved away (no longer resident), with no 2025 form
    moved_from: str | None = None  # lived (and was reviewed) there before the 2025 round

    @property
    def start_commune(self) -> str:
        return self.moved_from or self.commune


HOUSEHOLDS = [
    # Phường Bắc Sơn
    H("P1", {2024: R("poor", minority=True), 2025: R("poor", minority=True)}),
    H("P1", {2024: R("poor"), 2025: R("near_poor", members=4)}),
    H("P1", {2024: R("near_poor", minority=True), 2025: R("average")}),
    H("P1", {2025: R("poor", "posted", minority=True, members=5)}),
    H("P1", {2025: R("near_poor", members=4, computed="poor")}),
    # Phường Nam Sơn
    H("P2", {2024: R("poor", members=2)}),
    H("P2", {2023: R("poor"), 2024: R("average"), 2025: R("poor", minority=True)}),
    H("P2", {2025: R("average", members=2)}),
    H("P2", {2025: R("not_poor")}),
    # Xã Ven Đô
    H("X1", {2024: R("near_poor", minority=True), 2025: R("near_poor", minority=True)}),
    H("X1", {2025: R("poor", "draft")}),
    H("X1", {2025: R("poor", members=6)}, split=True),
    H("X1", {2024: R("poor", minority=True), 2025: R("poor", "posted", minority=True)}),
    # Thị trấn Lâm
    H("T1", {2024: R("poor"), 2025: R("poor", minority=True)}),
    H("T1", {2025: R("near_poor", minority=True, members=2)}),
    H("T1", {2023: R("near_poor"), 2025: R("near_poor", "submitted")}),
    # Xã Đồi Chè
    H("X2", {2024: R("near_poor", minority=True), 2025: R("poor", minority=True)}),
    H("X2", {2025: R("poor", members=6)}),
    H("X2", {2024: R("average"), 2025: R("near_poor", "agreed")}),
    H("X2", {2024: R("poor", minority=True), 2025: R("not_poor")}),
    H("X2", {2024: R("poor", members=2)}, gone=True),  # moved away: a decrease
    H("X2", {2024: R("near_poor", minority=True)}),  # resident, no form yet: pending
    # Moved from Xã Ven Đô (rural) to Phường Nam Sơn (urban), both in Thành phố Sơn Hà.
    H("P2", {2024: R("poor"), 2025: R("poor")}, moved_from="X1"),
    # Moved from Thị trấn Lâm to Phường Nam Sơn: urban to urban, between the districts.
    H("P2", {2024: R("near_poor", minority=True), 2025: R("poor", minority=True)}, moved_from="T1"),
]


# --- Counting what the tables must show ----------------------------------------------------------


def rate(count: int, total: int | None) -> Decimal | None:
    if not total:
        return None
    return (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def counted(h: H, year: int, basis: str) -> R | None:
    found = h.years.get(year)
    return found if found is not None and found.status in BASES[basis] else None


def total_of(communes) -> int | None:
    """The sum of the known totals (None: none known)."""
    known = [total for key, _d, _k, _n, total in COMMUNES if key in communes and total is not None]
    return sum(known) if known else None


def communes_missing(communes) -> tuple[int, int]:
    """How many of the communes have no total, of how many."""
    listed = [total for key, _d, _k, _n, total in COMMUNES if key in communes]
    return sum(total is None for total in listed), len(listed)


def total_on_page(communes) -> str:
    """The page's total cell: the known total, marked when some communes lack theirs."""
    missing, of = communes_missing(communes)
    total = total_of(communes)
    if total is None and of:
        return "chưa ghi tổng số hộ" if of == 1 else f"cả {of} xã chưa ghi tổng số hộ"
    if missing:
        return f"thiếu {missing}/{of} xã {on_page(total)}"
    return on_page(total)


def summary_cells(communes, basis: str) -> list:
    """Columns of the summary: total, surveyed, then per class number, rate, persons, overrides,
    communes without a total. A rate is over the communes whose total is known only."""
    now = [(h, r) for h in HOUSEHOLDS if h.commune in communes if (r := counted(h, 2025, basis))]
    known = {key for key, _d, _k, _n, total in COMMUNES if total is not None}
    total = total_of(communes)
    cells: list = [total, len(now)]
    for cls in ("poor", "near_poor", "average"):
        number = sum(r.final == cls for _h, r in now)
        rated = sum(r.final == cls and h.commune in known for h, r in now)
        cells += [number, rate(rated, total), sum(r.members for _h, r in now if r.final == cls)]
    cells.append(sum((r.computed or r.final) != r.final for _h, r in now))
    missing, of = communes_missing(communes)
    cells.append(missing if of else None)
    return cells


def summary_page_cells(communes, basis: str) -> list:
    """The page's cells of a summary row: the marked total cell, no column of missing communes."""
    cells = summary_cells(communes, basis)
    return [total_on_page(communes), *cells[1:-1]]


def movement_cells(communes, target: str, basis: str) -> list:
    """Columns of the movement table by area: total, start (number, minority), decreases (sum and
    three), pending, increases (sum and four), end (number, rate, minority, rate), communes
    without a total.

    A row counts a household at the start when its commune then is among `communes` (always from
    the approved result of 2024), at the end when its commune now is and its 2025 result is
    counted on the basis."""
    other = "near_poor" if target == "poor" else "poor"
    c = dict.fromkeys(
        [
            "start",
            "start_min",
            "dec_class",
            "dec_line",
            "dec_other",
            "pending",
            "inc_class",
            "inc_again",
            "inc_new",
            "inc_other",
            "end",
            "end_rated",
            "end_min",
        ],
        0,
    )
    known = {key for key, _d, _k, _n, total in COMMUNES if total is not None}
    for h in HOUSEHOLDS:
        starts_here, ends_here = h.start_commune in communes, h.commune in communes
        before, after = counted(h, 2024, "approved"), counted(h, 2025, basis)
        was = starts_here and before is not None and before.final == target
        now = ends_here and after is not None and after.final == target
        stayed = starts_here and ends_here  # in the row at both ends
        earlier = counted(h, 2023, "approved")
        again = earlier is not None and earlier.final == target
        resident_or_filed = not h.gone or 2025 in h.years
        if was:
            c["start"] += 1
            c["start_min"] += before.minority
            if after is None:
                c["pending" if resident_or_filed else "dec_other"] += 1
            elif not stayed:
                c["dec_other"] += 1
            elif after.final == other:
                c["dec_class"] += 1
            elif after.final in ("average", "not_poor"):
                c["dec_line"] += 1
        if now:
            c["end"] += 1
            c["end_rated"] += h.commune in known  # the end rate's numerator: known totals only
            c["end_min"] += after.minority
            in_a_class = before is not None and before.final in TARGETS
            if not in_a_class:
                if again:
                    c["inc_again"] += 1
                elif h.split:
                    c["inc_other"] += 1
                else:
                    c["inc_new"] += 1
            elif not stayed:
                c["inc_other"] += 1
            elif before.final == other:
                c["inc_class"] += 1
    total = total_of(communes)
    missing, of = communes_missing(communes)
    decreases = c["dec_class"] + c["dec_line"] + c["dec_other"]
    increases = c["inc_class"] + c["inc_again"] + c["inc_new"] + c["inc_other"]
    assert c["start"] - decreases - c["pending"] + increases == c["end"]
    return [
        total,
        c["start"],
        c["start_min"],
        decreases,
        c["dec_class"],
        c["dec_line"],
        c["dec_other"],
        c["pending"],
        increases,
        c["inc_class"],
        c["inc_again"],
        c["inc_new"],
        c["inc_other"],
        c["end"],
        rate(c["end_rated"], total),
        c["end_min"],
        # Its numerator cannot be limited to the communes with a total: left out, and said so.
        rate(c["end_min"], total) if not missing else None,
        missing if of else None,
    ]


def movement_page_cells(communes, target: str, basis: str) -> list:
    """The page's cells of a movement row: the marked total cell, "không tính" for a minority
    rate left out, no column of missing communes."""
    cells = movement_cells(communes, target, basis)
    missing, _of = communes_missing(communes)
    minority_rate = "không tính" if missing and total_of(communes) is not None else cells[-2]
    return [total_on_page(communes), *cells[1:-2], minority_rate]


def expected(layout, cells, *args) -> list[list]:
    """Rows (label first) of a table by area: each area's row over its units, then the total.
    `layout` is [(area title, area communes, [(unit name, its communes in the area), …]), …]."""
    rows = []
    for title, communes, units in layout:
        rows.append([title, *cells(communes, *args)])
        rows += [[name, *cells(unit_communes, *args)] for name, unit_communes in units]
    everything = set().union(*(communes for _title, communes, _units in layout))
    rows.append(["Tổng cộng", *cells(everything, *args)])
    return rows


def province_layout() -> list:
    return [
        (
            "I. Thành thị",
            URBAN,
            [("Thành phố Sơn Hà", {"P1", "P2"}), ("Huyện Lâm Bình", {"T1"})],
        ),
        ("II. Nông thôn", RURAL, [("Thành phố Sơn Hà", {"X1"}), ("Huyện Lâm Bình", {"X2", "X3"})]),
    ]


def district_layout() -> list:
    """Huyện Lâm Bình, by commune: its thị trấn, then its two xã."""
    return [
        ("I. Thành thị", {"T1"}, [("Thị trấn Lâm", {"T1"})]),
        ("II. Nông thôn", {"X2", "X3"}, [("Xã Đồi Chè", {"X2"}), ("Xã Suối Mát", {"X3"})]),
    ]


# --- The province, built by hand -----------------------------------------------------------------


@pytest.fixture
def land(admin):
    edition = TreeEdition.objects.create(
        code="thu-khu-vuc", name="Danh mục thử", has_districts=True
    )
    province = AdminUnit.objects.create(
        edition=edition,
        level="province",
        kind="tinh",
        code="90",
        name="Tỉnh Sơn Lâm",
        path="thu-khu-vuc/90/",
    )
    units = {"province": province}
    for number, (key, kind, name) in enumerate(DISTRICTS, start=1):
        units[key] = AdminUnit.objects.create(
            edition=edition,
            parent=province,
            level="district",
            kind=kind,
            code=f"90{number}",
            name=name,
            path=f"{province.path}90{number}/",
        )
    villages = {}
    for number, (key, district, kind, name, _total) in enumerate(COMMUNES, start=1):
        parent = units[district]
        commune = AdminUnit.objects.create(
            edition=edition,
            parent=parent,
            level="commune",
            kind=kind,
            code=f"9{number:04d}",
            name=name,
            path=f"{parent.path}9{number:04d}/",
        )
        units[key] = commune
        urban = kind in {"phuong", "thi_tran"}
        villages[key] = village_insert(
            commune=commune,
            name="Tổ dân phố 1" if urban else "Thôn 1",
            kind="to_dan_pho" if urban else "thon",
        )
    rounds = {
        year: ReviewRound.objects.create(
            province=province,
            year=year,
            kind="periodic",
            standard_code="vn-2022-2025",
            starts_on=date(year, 9, 1),
            ends_on=date(year, 12, 14),
            opened_by=admin,
        )
        for year in (2023, 2024, 2025)
    }
    for key, _district, _kind, _name, total in COMMUNES:
        if total is not None:
            CommuneTotal.objects.create(
                review_round=rounds[2025],
                commune=units[key],
                total_households=total,
                source="Công an xã",
                recorded_by=admin,
            )
    world = {"admin": admin, "rounds": rounds}
    for spec in HOUSEHOLDS:
        h = household(world, villages[spec.start_commune], split_after_2024=spec.split)
        for year, r in sorted(spec.years.items()):
            if year == 2025 and spec.moved_from:
                # Moved after the 2024 round: its earlier responses keep their commune.
                Household.objects.filter(pk=h.pk).update(
                    commune=units[spec.commune], village=villages[spec.commune]
                )
                h.refresh_from_db()
            result(
                world,
                h,
                year,
                r.final,
                status=r.status,
                members=r.members,
                computed=r.computed,
                head_minority=r.minority,
            )
        if spec.gone:
            Household.objects.filter(pk=h.pk).update(status=Household.Status.MOVED_AWAY)
    reader = User.objects.create(username="tinh-90", role=User.Role.PROVINCE_STAFF, unit=province)
    district_reader = User.objects.create(
        username="huyen-902", role=User.Role.DISTRICT_STAFF, unit=units["D2"]
    )
    return {
        "units": units,
        "rounds": rounds,
        "villages": villages,
        "world": world,
        "reader": reader,
        "district_reader": district_reader,
    }


# --- Reading the page and the workbook -----------------------------------------------------------


class Tables(HTMLParser):
    """The body rows (cells as text) of every table of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            if self._row:
                self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(client, rnd, unit, basis: str) -> list[list[list[str]]]:
    url = reverse(
        "reports:report",
        kwargs={"round_id": rnd.public_id, "unit_id": unit.public_id, "kind": "areas"},
    )
    response = client.get(url, {"basis": basis})
    assert response.status_code == 200
    parser = Tables()
    parser.feed(response.content.decode())
    return parser.tables


def on_page(value) -> str:
    """A cell as the page writes it: 1.200 for a count, 12,50 for a rate, blank for none."""
    if value is None:
        return ""
    if isinstance(value, str):  # already as the page writes it
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return f"{value:,}".replace(",", ".")


def page_rows(rows: list[list]) -> list[list[str]]:
    return [[label, *(on_page(v) for v in values)] for label, *values in rows]


def workbook_tables(content: bytes, sheet: str, width: int) -> list[list]:
    """The rows of a sheet's table by area, from "I. Thành thị" down to "Tổng cộng"."""
    ws = load_workbook(io.BytesIO(content))[sheet]
    rows, inside = [], False
    for row in ws.iter_rows(max_col=width, values_only=True):
        inside = inside or row[0] == "I. Thành thị"
        if inside:
            rows.append(list(row))
            if row[0] == "Tổng cộng":
                return rows
    raise AssertionError(f"no table by area in {sheet}")


def in_workbook(rows: list[list]) -> list[list]:
    """A row as the workbook holds it: rates as the fraction a '0.00%' cell holds."""
    return [
        [label, *(pytest.approx(float(v) / 100) if isinstance(v, Decimal) else v for v in values)]
        for label, *values in rows
    ]


def download(client, rnd, unit, basis: str) -> bytes:
    url = reverse(
        "report_downloads:workbook", kwargs={"round_id": rnd.public_id, "unit_id": unit.public_id}
    )
    response = client.get(url, {"basis": basis})
    assert response.status_code == 200
    return response.content


# --- The tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("basis", ["approved", "submitted"])
def test_province_page_splits_summary_and_movements_into_urban_and_rural(land, client_for, basis):
    rnd, province = land["rounds"][2025], land["units"]["province"]
    summary, poor, near_poor = page_tables(client_for(land["reader"]), rnd, province, basis)
    assert summary == page_rows(expected(province_layout(), summary_page_cells, basis))
    for table, target in ((poor, "poor"), (near_poor, "near_poor")):
        assert table == page_rows(expected(province_layout(), movement_page_cells, target, basis))


@pytest.mark.parametrize("basis", ["approved", "submitted"])
def test_district_page_splits_its_communes_by_kind(land, client_for, basis):
    rnd, district = land["rounds"][2025], land["units"]["D2"]
    summary, poor, near_poor = page_tables(
        client_for(land["district_reader"]), rnd, district, basis
    )
    assert summary == page_rows(expected(district_layout(), summary_page_cells, basis))
    for table, target in ((poor, "poor"), (near_poor, "near_poor")):
        assert table == page_rows(expected(district_layout(), movement_page_cells, target, basis))
    # Xã Suối Mát has entered no total: its rates are blank, the rural area's are over Đồi Chè's,
    # and its cell, the rural area's and the total's say so.
    suoi = next(row for row in summary if row[0] == "Xã Suối Mát")
    assert suoi[1] == "chưa ghi tổng số hộ" and suoi[4] == ""
    rural = next(row for row in summary if row[0] == "II. Nông thôn")
    assert rural[1] == "thiếu 1/2 xã 800" and summary[-1][1] == "thiếu 1/3 xã 2.300"
    rural_poor = next(row for row in poor if row[0] == "II. Nông thôn")
    assert rural_poor[1] == "thiếu 1/2 xã 800" and rural_poor[-1] == "không tính"


@pytest.mark.parametrize("basis", ["approved", "submitted"])
def test_province_workbook_holds_the_same_cells(land, client_for, basis):
    rnd, province = land["rounds"][2025], land["units"]["province"]
    content = download(client_for(land["reader"]), rnd, province, basis)
    width = len(SUMMARY_COLUMNS)
    assert workbook_tables(content, SUMMARY_AREAS_SHEET, width) == in_workbook(
        expected(province_layout(), summary_cells, basis)
    )
    for sheet, target in ((POOR_AREAS_SHEET, "poor"), (NEAR_POOR_AREAS_SHEET, "near_poor")):
        width = len(_area_movement_columns(target))
        assert workbook_tables(content, sheet, width) == in_workbook(
            expected(province_layout(), movement_cells, target, basis)
        ), (sheet, basis)


@pytest.mark.parametrize("basis", ["approved", "submitted"])
def test_district_workbook_holds_the_same_cells(land, client_for, basis):
    rnd, district = land["rounds"][2025], land["units"]["D2"]
    content = download(client_for(land["district_reader"]), rnd, district, basis)
    assert workbook_tables(content, SUMMARY_AREAS_SHEET, len(SUMMARY_COLUMNS)) == in_workbook(
        expected(district_layout(), summary_cells, basis)
    )
    for sheet, target in ((POOR_AREAS_SHEET, "poor"), (NEAR_POOR_AREAS_SHEET, "near_poor")):
        width = len(_area_movement_columns(target))
        assert workbook_tables(content, sheet, width) == in_workbook(
            expected(district_layout(), movement_cells, target, basis)
        ), (sheet, basis)


def test_the_two_areas_add_up_to_the_report_totals_on_the_other_sheets(land):
    """Tổng cộng of Biểu 01a/02a/03a is that of Biểu 01/02/03: I + II covers every commune."""
    rnd, province = land["rounds"][2025], land["units"]["province"]
    book = load_workbook(io.BytesIO(report_workbook(report_scope(rnd, province, "submitted"))))

    def total_row(sheet: str) -> list:
        return next(
            list(row) for row in book[sheet].iter_rows(values_only=True) if row[0] == "Tổng cộng"
        )

    assert total_row(SUMMARY_AREAS_SHEET) == total_row("Tong hop")
    for whole, split in (
        ("Bien dong ho ngheo", POOR_AREAS_SHEET),
        ("Bien dong ho can ngheo", NEAR_POOR_AREAS_SHEET),
    ):
        # Biểu 02/03: start, decreases (4), pending, increases (5), end; Biểu 02a/03a the same
        # after the resident households and with the start's minority households between.
        start, *changes, end = total_row(whole)[1:13]
        row = total_row(split)
        assert [row[2], *row[4:15]] == [start, *changes, end]


def test_sheets_by_area_carry_the_heading_the_rule_and_form_numbers(land):
    rnd, district = land["rounds"][2025], land["units"]["D2"]
    signing = Signing(prepared_by="Lê Văn Lập", place="Lâm Bình", dated=date(2026, 12, 2))
    book = load_workbook(io.BytesIO(report_workbook(report_scope(rnd, district), signing=signing)))
    assert book.sheetnames[-3:] == [SUMMARY_AREAS_SHEET, POOR_AREAS_SHEET, NEAR_POOR_AREAS_SHEET]
    for sheet, form, title in (
        (SUMMARY_AREAS_SHEET, "01a", "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO THEO KHU"),
        (POOR_AREAS_SHEET, "02a", "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO THEO KHU VỰC"),
        (NEAR_POOR_AREAS_SHEET, "03a", "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ CẬN NGHÈO THEO KHU VỰC"),
    ):
        ws = book[sheet]
        texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert ws["A3"].value == f"Biểu số {form}"
        assert any(t.startswith(title) and t.endswith("NĂM 2025") for t in texts)
        assert any("Thành thị: các phường và thị trấn; nông thôn: các xã" in t for t in texts)
        # A district: a district's communes are listed, so no word about districts in both areas.
        assert not any("Huyện có cả xã và phường" in t for t in texts)
        assert "Lê Văn Lập" in texts and "Thủ trưởng đơn vị" in texts
        # Xã Suối Mát has no total: each sheet says so (Biểu 01 names it), and why rates are
        # over the other communes only.
        assert any(
            t.startswith("CHÚ Ý: 1/3 xã chưa ghi tổng số hộ dân cư") and "Biểu 01." in t
            for t in texts
        )
        assert any("trên các xã đã ghi tổng số hộ dân cư" in t for t in texts)
        if sheet != SUMMARY_AREAS_SHEET:
            assert any("(cột 14 = cột 2 − cột 4 − cột 8 + cột 9)" in t for t in texts)
            assert any("tỷ lệ hộ dân tộc thiểu số (cột 17) để trống" in t for t in texts)
        area = next(c for row in ws.iter_rows() for c in row if c.value == "II. Nông thôn")
        assert area.font.b and area.alignment.horizontal == "left"
        unit = next(c for row in ws.iter_rows() for c in row if c.value == "Xã Đồi Chè")
        assert not unit.font.b
    poor = book[POOR_AREAS_SHEET]
    assert any(
        isinstance(c.value, str) and c.value.startswith("Đầu kỳ: kết quả đã phê duyệt của đợt")
        for row in poor.iter_rows()
        for c in row
    )


def test_a_commune_page_shows_its_own_area_only(land, client_for):
    """Phường Bắc Sơn is urban: its village under I, nothing under II but the area's zero row."""
    rnd, ward = land["rounds"][2025], land["units"]["P1"]
    officer = User.objects.create(username="xa-p1", role=User.Role.COMMUNE_OFFICER, unit=ward)
    summary, poor, _near = page_tables(client_for(officer), rnd, ward, "approved")
    assert [row[0] for row in summary] == [
        "I. Thành thị",
        "Tổ dân phố 1",
        "II. Nông thôn",
        "Tổng cộng",
    ]
    assert summary[0][1:] == summary[-1][1:]
    assert summary[2][1:] == ["", "0", "0", "", "0", "0", "", "0", "0", "", "0", "0"]
    assert [row[0] for row in poor] == [
        "I. Thành thị",
        "Tổ dân phố 1",
        "II. Nông thôn",
        "Tổng cộng",
    ]
    assert poor[0][2:] == poor[-1][2:] and poor[0][1] == poor[-1][1] == "1.200"


def test_other_provinces_and_districts_get_404(land, cast, client_for):
    rnd = land["rounds"][2025]
    for role in ("province_reader", "district_reader", "officer_a"):
        client = client_for(cast[role])
        for unit in (land["units"]["province"], land["units"]["D2"]):
            url = reverse(
                "reports:report",
                kwargs={"round_id": rnd.public_id, "unit_id": unit.public_id, "kind": "areas"},
            )
            assert client.get(url).status_code == 404, role
    # Lâm Bình's staff do not reach Sơn Hà.
    url = reverse(
        "reports:report",
        kwargs={
            "round_id": rnd.public_id,
            "unit_id": land["units"]["D1"].public_id,
            "kind": "areas",
        },
    )
    assert client_for(land["district_reader"]).get(url).status_code == 404


def count_queries(client, url) -> int:
    from reports.aggregates import fold_all

    fold_all()  # the report's own queries, not the fold of what the test just wrote
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_areas_page_and_workbook_are_constant_in_queries(land, client_for):
    """More communes in both areas, more households: the same number of queries."""
    rnd, province = land["rounds"][2025], land["units"]["province"]
    client = client_for(land["reader"])
    page = reverse(
        "reports:report",
        kwargs={"round_id": rnd.public_id, "unit_id": province.public_id, "kind": "areas"},
    )
    book = reverse(
        "report_downloads:workbook",
        kwargs={"round_id": rnd.public_id, "unit_id": province.public_id},
    )
    few = (count_queries(client, page), count_queries(client, book))
    for index, kind in enumerate(["phuong", "xa", "thi_tran", "xa"]):
        parent = land["units"][("D1", "D2")[index % 2]]
        code = f"98{index:03d}"
        commune = AdminUnit.objects.create(
            edition=parent.edition,
            parent=parent,
            level="commune",
            kind=kind,
            code=code,
            name=f"Đơn vị mới {index}",
            path=f"{parent.path}{code}/",
        )
        village = village_insert(commune=commune, name="Thôn 1", kind="thon")
        for year, final in ((2024, "poor"), (2025, "near_poor"), (2025, "poor")):
            h = household(land["world"], village)
            result(land["world"], h, year, final, head_minority=True)
    assert (count_queries(client, page), count_queries(client, book)) == few
    # 32 today: the session, the user, the unit, the round, then the summary (5 queries) and the
    # movements (4) three times: the report's own (its totals) and each area's.
    assert few[0] <= 36, few


def test_area_rule_is_the_commune_kind():
    assert {"phuong", "thi_tran"} == AdminUnit.URBAN_KINDS
    assert {"xa", "dac_khu"} == AdminUnit.RURAL_KINDS
    communes = AdminUnit.KINDS_BY_LEVEL[AdminUnit.Level.COMMUNE]
    assert communes == AdminUnit.URBAN_KINDS | AdminUnit.RURAL_KINDS
    assert not AdminUnit.URBAN_KINDS & AdminUnit.RURAL_KINDS


def test_sheets_by_area_render_whole_in_libreoffice(land, render):
    """Rendered to PDF: the three sheets' headings, titles, every header word, both areas with
    their units (each district in both), the rule and the signature block are on the pages."""
    rnd, province = land["rounds"][2025], land["units"]["province"]
    signing = Signing(
        unit=province, prepared_by="Lê Thị Lập", place="Sơn Lâm", dated=date(2026, 12, 2)
    )
    content = report_workbook(report_scope(rnd, province, "submitted"), signing=signing)
    book = load_workbook(io.BytesIO(content))
    for name in book.sheetnames[:-3]:  # the three sheets by area only
        del book[name]
    out = io.BytesIO()
    book.save(out)
    text = render(out.getvalue(), "khu-vuc-90")
    assert text.count("UBND TỈNH SƠN LÂM") == 3 and text.count(NATION) == 3
    for number in ("01a", "02a", "03a"):
        assert f"Biểu số {number}" in text
    assert_on_pages(
        text,
        "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO THEO KHU VỰC THÀNH THỊ, NÔNG THÔN "
        "NĂM 2025",
        "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO THEO KHU VỰC THÀNH THỊ, NÔNG THÔN NĂM 2025",
        "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ CẬN NGHÈO THEO KHU VỰC THÀNH THỊ, NÔNG THÔN NĂM 2025",
        "Thành thị: các phường và thị trấn; nông thôn: các xã (đặc khu tính vào nông thôn)",
        "Huyện có cả xã và phường, thị trấn được ghi ở cả hai khu vực",
        "Sơn Lâm, ngày 02 tháng 12 năm 2026",
    )
    assert text.count("I. Thành thị") == 3 and text.count("II. Nông thôn") == 3
    assert text.count("Thành phố Sơn Hà") == 6 and text.count("Huyện Lâm Bình") == 6
    assert text.count("Lê Thị Lập") == 3
    assert text.count("CHÚ Ý: 1/6 xã") == 3
    for columns in (SUMMARY_COLUMNS, *map(_area_movement_columns, TARGETS)):
        assert_headers_whole(text, columns)


def test_an_unbalanced_row_is_marked_on_the_page_and_noted_in_the_workbook(land, client_for):
    """A 2025 result no service writes (raw SQL, as in test_report_balance) leaves a household
    of Xã Đồi Chè poor at the start and nowhere after: its rows are flagged, the urban ones not."""
    rnd, province = land["rounds"][2025], land["units"]["province"]
    lost = household(land["world"], land["villages"]["X2"])
    result(land["world"], lost, 2024, "poor")
    response = result(land["world"], lost, 2025, "poor")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SurveyResponse._meta.db_table} SET final_classification = 'lost', "
            "computed_classification = 'lost' WHERE id = %s",
            [response.pk],
        )
    client = client_for(land["reader"])
    url = reverse(
        "reports:report",
        kwargs={"round_id": rnd.public_id, "unit_id": province.public_id, "kind": "areas"},
    )
    page = client.get(url).content.decode()

    def identity(communes) -> str:
        """The row's identity as written, with the lost household in the start and nowhere else."""
        cells = movement_cells(communes, "poor", "approved")
        start, decreases, pending, increases, end = (cells[i] for i in (1, 3, 7, 8, 13))
        return f"{start + 1} − {decreases} − {pending} + {increases} ≠ {end}"

    assert "Cảnh báo: số liệu biến động không cân đối" in page
    assert "(đầu kỳ − giảm − chưa có kết quả + tăng khác cuối kỳ)" in page
    lam_binh = identity({"X2", "X3"})
    assert f"Hộ nghèo, số hộ: <strong>II. Nông thôn, Huyện Lâm Bình</strong> — {lam_binh}" in page
    poor_table = page.split("Hộ nghèo theo khu vực")[1].split("</table>")[0]
    row = r'<tr class="table-danger[^"]*"><td class="text-nowrap">(?:<a [^>]*>)?([^<]*)'
    assert re.findall(row, poor_table) == ["II. Nông thôn", "Huyện Lâm Bình", "Tổng cộng"]
    near_table = page.split("Hộ cận nghèo theo khu vực")[1].split("</table>")[0]
    assert "table-danger" not in near_table
    book = load_workbook(io.BytesIO(download(client, rnd, province, "approved")))
    notes = [
        c.value
        for row in book[POOR_AREAS_SHEET].iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("CẢNH BÁO")
    ]
    # Approved basis, poor, rural: Ven Đô's posted household is pending, the one that moved to
    # Nam Sơn leaves; Đồi Chè's not_poor and gone ones leave; the split, the near-poor turned
    # poor and the new one arrive; the lost one stays in the start.
    assert len(notes) == 1
    assert identity(RURAL) == "5 − 3 − 1 + 3 ≠ 3"
    assert f"II. Nông thôn (số hộ: {identity(RURAL)})" in notes[0]
    assert f"II. Nông thôn, Huyện Lâm Bình (số hộ: {lam_binh})" in notes[0]
    assert f"Tổng cộng (số hộ: {identity(URBAN | RURAL)})" in notes[0]
    assert "Thành thị" not in notes[0] and "Sơn Hà" not in notes[0]
    assert not any(
        isinstance(c.value, str) and c.value.startswith("CẢNH BÁO")
        for row in book[NEAR_POOR_AREAS_SHEET].iter_rows()
        for c in row
    )
