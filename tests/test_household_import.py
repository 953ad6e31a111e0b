"""Bringing a commune's household list in from Excel: preview counts, row errors, all or nothing."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from accounts.models import AuditEvent
from households.imports import COLUMNS, import_plan, import_template
from households.models import Household, Member

HEADERS = [c.header for c in COLUMNS]


def person(number, name, relationship="Chủ hộ", sex="Nam", birth="1970", **more):
    row = {
        "Mã hộ": number,
        "Thôn": "Thôn Đông",
        "Họ và tên": name,
        "Quan hệ với chủ hộ": relationship,
        "Giới tính": sex,
        "Ngày sinh": birth,
        "Dân tộc": "Kinh",
        "Địa chỉ": "Xóm 3" if relationship == "Chủ hộ" else "",
        **more,
    }
    return row


GOOD = [
    person("0101", "Lê Văn Cường", birth="12/05/1966", **{"Số CCCD": "035066000111"}),
    person("0101", "Phạm Thị Dung", "Vợ", "Nữ", "1969", **{"Có thẻ BHYT": "Có"}),
    person("0101", "Lê Văn Em", "Con", "Nam", date(2010, 3, 1), **{"Đang đi học": "Có"}),
    person("0102", "Hoàng Văn Phúc", birth="1950", **{"Trình độ học vấn": "Tiểu học"}),
    person("0102", "Hoàng Thị Gấm", "Vợ", "Nữ", "1953", **{"Việc làm": "Không làm việc"}),
]


def workbook(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sach"
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(tmp_path, rows, *extra, capsys=None):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(workbook(rows))
    code = 0
    try:
        call_command("import_households", str(path), "--commune", "13504", "--legacy", *extra)
    except SystemExit as exc:
        code = exc.code
    return code


def test_a_valid_file_creates_households_and_members_and_a_second_import_changes_nothing(
    tmp_path, village_a, household_a, capsys
):
    assert run(tmp_path, GOOD) == 0
    out = capsys.readouterr().out
    assert "hộ đã thêm 2" in out and "thành viên đã thêm 5" in out
    assert "hộ không có trong tệp: 1" in out  # household_a is listed, not deleted
    cuong = Household.objects.get(commune=village_a.parent, number="0101")
    assert cuong.head_name == "Lê Văn Cường" and cuong.village == village_a
    assert cuong.address == "Xóm 3"
    members = {m.full_name: m for m in cuong.members.all()}
    assert members["Lê Văn Cường"].citizen_id == "035066000111"
    assert members["Lê Văn Cường"].birth_date == date(1966, 5, 12)
    assert members["Phạm Thị Dung"].has_health_insurance is True
    assert members["Lê Văn Em"].birth_year == 2010 and members["Lê Văn Em"].in_school
    assert Member.objects.get(full_name="Hoàng Văn Phúc").education == "primary"
    assert Member.objects.get(full_name="Hoàng Thị Gấm").employment == "not_working"
    assert Household.objects.filter(pk=household_a.pk, status="active").exists()
    events = AuditEvent.objects.filter(action="household_import").count()
    assert events == 2

    assert run(tmp_path, GOOD) == 0
    out = capsys.readouterr().out
    assert "hộ đã thêm 0, đã cập nhật 0, giữ nguyên 2" in out
    assert "thành viên đã thêm 0, đã cập nhật 0, giữ nguyên 5" in out
    assert Household.objects.filter(commune=village_a.parent).count() == 3
    assert AuditEvent.objects.filter(action__startswith="household_import").count() == events


def test_a_changed_file_updates_only_what_changed_and_audits_it(tmp_path, village_a, capsys):
    assert run(tmp_path, GOOD) == 0
    capsys.readouterr()
    changed = [dict(r) for r in GOOD]
    changed[0]["Địa chỉ"] = "Xóm 5"
    changed[1]["Có thẻ BHYT"] = "Không"
    changed.append(person("0102", "Hoàng Văn Hải", "Con", "Nam", "1990"))
    assert run(tmp_path, changed) == 0
    out = capsys.readouterr().out
    assert "hộ đã thêm 0, đã cập nhật 2, giữ nguyên 0" in out
    assert "thành viên đã thêm 1, đã cập nhật 1, giữ nguyên 4" in out
    assert Household.objects.get(number="0101").address == "Xóm 5"
    assert Member.objects.get(full_name="Phạm Thị Dung").has_health_insurance is False
    update = AuditEvent.objects.get(action="member_import_update")
    assert update.changes == {"has_health_insurance": [True, False]}
    assert AuditEvent.objects.filter(action="household_import_update").count() == 1


@pytest.mark.parametrize(
    ("rows", "where", "message"),
    [
        (
            [person("0201", "Ngô Văn Hà", Thôn="Thôn Không Có")],
            "dòng 2, cột “Thôn”",
            "Không có thôn “Thôn Không Có”",
        ),
        (
            [person("0201", "Ngô Văn Hà", **{"Số CCCD": "035170000999"})],
            "dòng 2, cột “Số CCCD”",
            "",
        ),
        (
            [person("0201", "Ngô Văn Hà", **{"Số CCCD": "035070000123"})],
            "dòng 2, cột “Số CCCD”",
            "đã có ở một thành viên đang sống trong hộ khác",
        ),
        (
            [person("0201", "Ngô Văn Hà"), person("0201", "Ngô Văn Hai")],
            "dòng 3, cột “Quan hệ với chủ hộ”",
            "Hộ 0201 có hai chủ hộ",
        ),
        (
            [person("0201", "Ngô Thị Hà", "Vợ", "Nữ")],
            "dòng 2, cột “Quan hệ với chủ hộ”",
            "Hộ 0201 không có chủ hộ",
        ),
        (
            [person("0201", "Ngô Văn Hà", birth=date.today() + timedelta(days=30))],
            "dòng 2, cột “Ngày sinh”",
            "không được sau hôm nay",
        ),
        (
            [person("0201", "Ngô Văn Hà", **{"Dân tộc": "Kinh Bắc"})],
            "dòng 2, cột “Dân tộc”",
            "Không có dân tộc này",
        ),
        (
            [person("0201", "Ngô Văn Hà", **{"Giới tính": "X"})],
            "dòng 2, cột “Giới tính”",
            "Nam hoặc Nữ",
        ),
    ],
)
def test_one_bad_row_writes_nothing_and_names_sheet_row_column_and_rule(
    tmp_path, village_a, household_a, capsys, rows, where, message
):
    before = (Household.objects.count(), Member.objects.count(), AuditEvent.objects.count())
    assert run(tmp_path, rows) == 2
    err = capsys.readouterr().err
    assert f"Trang Danh sach, {where}" in err
    assert message in err
    assert "không ghi gì" in err
    assert (Household.objects.count(), Member.objects.count(), AuditEvent.objects.count()) == before


def test_errors_are_reported_at_their_rows_of_the_whole_file(tmp_path, village_a, capsys):
    rows = [*GOOD, person("0201", "Ngô Văn Hà", Thôn="Thôn Không Có")]
    assert run(tmp_path, rows) == 2
    err = capsys.readouterr().err
    assert "Trang Danh sach, dòng 7, cột “Thôn”" in err
    assert not Household.objects.filter(number__in=["0101", "0102", "0201"]).exists()


def test_a_dry_run_writes_nothing(tmp_path, village_a, capsys):
    assert run(tmp_path, GOOD, "--dry-run") == 0
    assert "hộ sẽ thêm 2" in capsys.readouterr().out
    assert not Household.objects.filter(number="0101").exists()


def test_with_user_the_users_scope_applies(tmp_path, village_a, officer_a, officer_b):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="không được nhập hộ"):
        run(tmp_path, GOOD, "--user", officer_b.username)
    assert not Household.objects.filter(number="0101").exists()
    assert run(tmp_path, GOOD, "--user", officer_a.username) == 0
    assert AuditEvent.objects.filter(action="household_import", actor=officer_a).count() == 2


def test_headers_are_matched_without_case_or_accents(tmp_path, village_a, capsys):
    headers = [h.upper().replace("Ã", "A") for h in HEADERS]
    headers = ["ma ho", "THON", "ho va ten", "Quan He Voi Chu Ho", "gioi tinh", "ngay sinh",
               *headers[6:]]  # fmt: skip
    path = tmp_path / "ds.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in GOOD:
        sheet.append([row.get(h, "") for h in HEADERS])
    book.save(path)
    call_command("import_households", str(path), "--commune", "13504", "--legacy")
    assert Household.objects.filter(number__in=["0101", "0102"]).count() == 2


def test_the_template_reads_back_as_a_household_of_two(village_a, officer_a):
    from households.villages import village_create

    village_create(actor=officer_a, commune=village_a.parent, name="Thôn 1", kind="thon")
    plan = import_plan(
        actor=officer_a, commune=village_a.parent, file=io.BytesIO(import_template()), name="m.xlsx"
    )
    assert plan.ok, [str(e) for e in plan.errors]
    assert (plan.households_new, plan.members_new) == (1, 2)


# --- The officer's page: upload, preview, confirm -----------------------------------------------


def test_the_officer_uploads_previews_and_confirms(officer_a, village_a, household_a, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for(officer_a)
    page = client.get(reverse("households:import"))
    assert page.status_code == 200 and "Tải tệp mẫu" in page.content.decode()
    template = client.get(reverse("households:import_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = SimpleUploadedFile("ds.xlsx", workbook(GOOD))
    response = client.post(reverse("households:import"), {"file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "Xác nhận và ghi" in preview
    assert "Nguyễn Văn An" in preview  # household_a: on the app, not in the file, not deleted
    assert not Household.objects.filter(number="0101").exists()  # nothing written yet
    confirmed = client.post(response["Location"] + "confirm/", follow=True)
    assert "Đã nhập: thêm 2 hộ" in confirmed.content.decode()
    assert Household.objects.filter(number__in=["0101", "0102"]).count() == 2
    # Confirming twice writes nothing more; the file (CCCDs, birth dates) is not kept.
    client.post(response["Location"] + "confirm/")
    assert Household.objects.filter(number__in=["0101", "0102"]).count() == 2
    from households.models import HouseholdImport

    assert bytes(HouseholdImport.objects.get().content) == b""
    assert client.get(response["Location"]).status_code == 302


def test_a_file_with_errors_shows_them_and_cannot_be_confirmed(officer_a, village_a, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for(officer_a)
    rows = [*GOOD, person("0201", "Ngô Văn Hà", Thôn="Thôn Không Có")]
    response = client.post(
        reverse("households:import"), {"file": SimpleUploadedFile("ds.xlsx", workbook(rows))}
    )
    preview = client.get(response["Location"]).content.decode()
    assert "Tệp có 1 lỗi" in preview and "Không có thôn “Thôn Không Có”" in preview
    assert "Xác nhận và ghi" not in preview
    client.post(response["Location"] + "confirm/")
    assert not Household.objects.filter(number="0101").exists()


def test_a_hostile_file_is_a_400_and_others_cannot_see_an_upload(
    officer_a, officer_b, district_reader, village_a, client_for
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for(officer_a)
    bad = client.post(
        reverse("households:import"), {"file": SimpleUploadedFile("ds.xlsm", b"PK\x03\x04")}
    )
    assert bad.status_code == 400 and "macro" in bad.content.decode().lower()
    response = client.post(
        reverse("households:import"), {"file": SimpleUploadedFile("ds.xlsx", workbook(GOOD))}
    )
    for other in (officer_b, district_reader):
        assert client_for(other).get(response["Location"]).status_code == 404
        assert client_for(other).post(response["Location"] + "confirm/").status_code == 404
    assert client_for(district_reader).get(reverse("households:import")).status_code == 404
    assert not Household.objects.filter(number="0101").exists()


def _many(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        rows.append(person(f"{i + 1:04d}", f"Đỗ Văn Số {i}"))
        rows.append(person(f"{i + 1:04d}", f"Vũ Thị Số {i}", "Vợ", "Nữ", "1972"))
    return rows


@pytest.mark.parametrize("again", [False, True])
def test_the_import_costs_the_same_queries_for_3_or_30_households(village_a, again):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from households.imports import import_apply

    counts = []
    for n in (3, 30):
        Member.objects.filter(household__number__gte="0001").delete()
        Household.objects.filter(number__gte="0001").delete()
        data = workbook(_many(n))
        if again:
            plan = import_plan(
                actor=None, commune=village_a.parent, file=io.BytesIO(data), name="a.xlsx"
            )
            import_apply(actor=None, plan=plan)
        with CaptureQueriesContext(connection) as queries:
            plan = import_plan(
                actor=None, commune=village_a.parent, file=io.BytesIO(data), name="a.xlsx"
            )
            import_apply(actor=None, plan=plan)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- Last year's approved list as the baseline ---------------------------------------------------


def test_last_years_list_becomes_the_baseline_and_the_first_rounds_movements_are_right(
    tmp_path, village_a, round_2025, province_reader, admin, capsys
):
    """Imported with the 2024 decision: 0101 poor, 0102 and 0103 near-poor. In 2025: 0101 rises
    above the line, 0102 falls to poor, 0103 stays near-poor, 0104 is newly poor."""
    from reports.selectors import movements_both, report_scope
    from survey.models import ReviewRound, SurveyResponse

    rows = []
    for number, cls in (("0101", "Hộ nghèo"), ("0102", "Hộ cận nghèo"), ("0103", "cận nghèo"),
                        ("0104", "")):  # fmt: skip
        rows.append(person(number, f"Chủ hộ {number}", **{"Phân loại năm trước": cls}))
        rows.append(person(number, f"Vợ {number}", "Vợ", "Nữ", "1972"))
    headers = [*HEADERS]
    path = tmp_path / "ds.xlsx"
    path.write_bytes(workbook(rows, headers))
    # Without the decision the column cannot be used: nothing is written.
    with pytest.raises(SystemExit) as stop:
        call_command("import_households", str(path), "--commune", "13504", "--legacy")
    assert stop.value.code == 2
    assert "--baseline-year" in capsys.readouterr().err
    assert not Household.objects.filter(number="0101").exists()
    call_command(
        "import_households", str(path), "--commune", "13504", "--legacy",
        "--baseline-year", "2024", "--decision", "45/QĐ-UBND", "--decision-date", "20/12/2024",
    )  # fmt: skip
    assert "Danh sách năm 2024: 3 hộ" in capsys.readouterr().out
    round_2024 = ReviewRound.objects.get(province=round_2025.province, year=2024)
    assert round_2024.status == "closed"
    imported = SurveyResponse.objects.filter(review_round=round_2024)
    assert imported.count() == 3 and set(imported.values_list("imported", flat=True)) == {True}
    first = imported.get(household__number="0101")
    assert (first.final_classification, first.status) == ("poor", "approved")
    assert first.decision_number == "45/QĐ-UBND" and "Quyết định số 45/QĐ-UBND" in str(
        first.explanation
    )
    admin = province_reader
    for number, final in (("0101", "not_poor"), ("0102", "poor"), ("0103", "near_poor"),
                          ("0104", "poor")):  # fmt: skip
        h = Household.objects.get(number=number)
        SurveyResponse.objects.create(
            review_round=round_2025,
            household=h,
            commune=h.commune,
            village=h.village,
            status="approved",
            computed_classification=final,
            final_classification=final,
            member_count=2,
            created_by=admin,
        )
    tables = movements_both(report_scope(round_2025, village_a.parent, basis="approved"))
    poor, near = tables["poor"].households_total, tables["near_poor"].households_total
    got = {
        "poor": (poor.start, poor.dec_other_class, poor.dec_above_line, poor.dec_other,
                 poor.inc_other_class, poor.inc_returned, poor.inc_new, poor.inc_other, poor.end),
        "near": (near.start, near.dec_other_class, near.dec_above_line, near.dec_other,
                 near.inc_other_class, near.inc_returned, near.inc_new, near.inc_other, near.end),
    }  # fmt: skip
    assert got == {
        # start, to other class, above the line, other, from other class, returned, new, other, end
        "poor": (1, 0, 1, 0, 1, 0, 1, 0, 2),
        "near": (2, 1, 0, 0, 0, 0, 0, 0, 1),
    }
    # Importing the list again changes nothing; a corrected list replaces the imported rows.
    call_command(
        "import_households", str(path), "--commune", "13504", "--legacy",
        "--baseline-year", "2024", "--decision", "45/QĐ-UBND", "--decision-date", "20/12/2024",
    )  # fmt: skip
    assert "(thêm 0, sửa 0, bỏ 0)" in capsys.readouterr().out


def test_the_page_takes_last_years_list_with_its_decision(
    officer_a, village_a, round_2025, client_for
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from survey.models import SurveyResponse

    client = client_for(officer_a)
    rows = [person("0301", "Chủ hộ 0301", **{"Phân loại năm trước": "Hộ nghèo"})]
    data = workbook(rows)
    # The column used without the decision: the preview says what is missing, nothing written.
    response = client.post(
        reverse("households:import"), {"file": SimpleUploadedFile("ds.xlsx", data)}
    )
    preview = client.get(response["Location"]).content.decode()
    assert "hãy tải lên lại và ghi năm, số và ngày" in preview
    assert "Xác nhận và ghi" not in preview
    client.post(response["Location"] + "confirm/")
    assert not Household.objects.filter(number="0301").exists()
    # Half a decision is refused on the upload form.
    half = client.post(
        reverse("households:import"),
        {"file": SimpleUploadedFile("ds.xlsx", data), "baseline_year": "2024"},
    )
    assert half.status_code == 400 and "cần đủ năm, số và ngày" in half.content.decode()
    response = client.post(
        reverse("households:import"),
        {
            "file": SimpleUploadedFile("ds.xlsx", data),
            "baseline_year": "2024",
            "decision_number": "12/QĐ-UBND",
            "decision_date": "18/12/2024",
        },
    )
    preview = client.get(response["Location"]).content.decode()
    assert "Quyết định số 12/QĐ-UBND ngày 18/12/2024" in preview
    client.post(response["Location"] + "confirm/")
    result = SurveyResponse.objects.get(household__number="0301", review_round__year=2024)
    assert (result.final_classification, result.imported) == ("poor", True)


def test_a_member_saved_with_a_citizen_id_is_matched_by_name_when_the_file_has_none(
    tmp_path, village_a, capsys
):
    """An officer's file often lacks CCCDs the app already has: the same person, not a new one."""
    assert run(tmp_path, GOOD) == 0
    capsys.readouterr()
    without_ids = [{k: v for k, v in row.items() if k != "Số CCCD"} for row in GOOD]
    assert run(tmp_path, without_ids) == 0
    out = capsys.readouterr().out
    assert "thành viên đã thêm 0" in out
    assert Member.objects.filter(full_name="Lê Văn Cường").count() == 1
    # The ID the app has is kept (the file's empty cell does not erase it).
    assert Member.objects.get(full_name="Lê Văn Cường").citizen_id == "035066000111"
