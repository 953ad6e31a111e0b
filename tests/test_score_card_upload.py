"""Installing the official income-proxy score card from Excel: all or nothing, row-level errors."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from survey.models import InstalledScoreCard

UPLOAD = reverse("survey:score_card_upload", kwargs={"code": "vn-2022-2025"})


def workbook_bytes(regions, options, region_keys=("NT", "TT")) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Vung"
    sheet.append(["Mã vùng", "Tên vùng", "Khu vực", "Mã các tỉnh"])
    for row in regions:
        sheet.append(row)
    points = workbook.create_sheet("Diem")
    points.append(["Mã câu hỏi", "Câu hỏi", "Loại", "Về 0 khi", "Mã PA", "Phương án", *region_keys])
    for row in options:
        points.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


REGIONS = [["NT", "Nông thôn", "nông thôn", ""], ["TT", "Thành thị", "urban", ""]]
GOOD_OPTIONS = [
    ["size", "Số nhân khẩu", "single", "", "1", "1 người", 60, 70],
    ["size", "", "", "", "2", "2 người trở lên", 40, 50],
    ["assets", "Tài sản", "multiple", "", "tv", "Ti vi", 5, 5],
    ["assets", "", "", "", "moto", "Xe máy", 10, 8],
]


def upload(client, content: bytes, **extra):
    data = {"file": SimpleUploadedFile("bang-diem.xlsx", content), **extra}
    return client.post(UPLOAD, data)


def test_template_downloads_as_a_workbook_with_both_sheets(officer_a, client_for):
    url = reverse("survey:score_card_template", kwargs={"code": "vn-2016-2020"})
    response = client_for(officer_a).get(url)
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Vung", "Diem"]
    # The 2016–2020 standard ships the items it could source (marked unverified): pre-filled.
    assert workbook["Diem"].max_row > 1


def test_admin_installs_a_valid_card_and_officers_then_answer_items(
    admin, officer_a, household_a, round_2025, client_for
):
    response = upload(
        client_for(admin),
        workbook_bytes(REGIONS, GOOD_OPTIONS),
        verified="on",
        basis="TT 07/2021/TT-BLĐTBXH Phụ lục III",
    )
    assert response.status_code == 302
    card = InstalledScoreCard.objects.get()
    assert card.verified and card.is_active
    assert len(card.options) == 4

    client = client_for(officer_a)
    begin = reverse(
        "survey:response_begin",
        kwargs={"round_id": round_2025.public_id, "household_id": household_a.public_id},
    )
    client.post(begin)
    survey = household_a.responses.get()
    income = reverse(
        "survey:response_section", kwargs={"public_id": survey.public_id, "section": "income"}
    )
    page = client.get(income).content.decode()
    assert "Số nhân khẩu" in page and "Tổng điểm thu nhập" not in page
    preview = reverse(
        "survey:response_preview", kwargs={"public_id": survey.public_id, "section": "income"}
    )
    # Household A has one member in a rural commune: 60 + 10 points; housing still missing.
    body = client.post(preview, {"card__size": "1", "card__assets": ["moto"]}).content.decode()
    assert "Bảng điểm thu nhập" not in body  # the card answers are complete
    assert "Nguồn nước sinh hoạt chính" in body


def test_a_file_with_bad_rows_is_rejected_whole_with_row_numbers(admin, client_for):
    options = [
        ["size", "Số nhân khẩu", "single", "", "1", "1 người", 60, None],
        ["size", "", "", "", "2", "2 người trở lên", -5, 50],
        ["assets", "Tài sản", "multiple", "", "tv", "Ti vi", "năm", 5],
    ]
    response = upload(client_for(admin), workbook_bytes(REGIONS, options))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Trang Diem, dòng 2" in body
    assert "Trang Diem, dòng 3" in body
    assert "Trang Diem, dòng 4" in body
    assert not InstalledScoreCard.objects.exists()


def test_a_file_that_is_not_excel_is_refused(admin, client_for):
    response = upload(client_for(admin), b"not a workbook")
    assert response.status_code == 400
    assert "không phải là tệp Excel" in response.content.decode()
    assert not InstalledScoreCard.objects.exists()


def test_an_official_card_needs_its_legal_basis(admin, client_for):
    response = upload(client_for(admin), workbook_bytes(REGIONS, GOOD_OPTIONS), verified="on")
    assert response.status_code == 400
    assert not InstalledScoreCard.objects.exists()


def test_only_admins_install_cards(officer_a, province_reader, client_for):
    for user in (officer_a, province_reader):
        assert upload(client_for(user), workbook_bytes(REGIONS, GOOD_OPTIONS)).status_code == 404
    assert not InstalledScoreCard.objects.exists()


def test_standard_pages_say_plainly_what_is_unverified(officer_a, client_for):
    body = client_for(officer_a).get(reverse("survey:standard_list")).content.decode()
    assert "chưa kiểm chứng" in body
    detail = reverse("survey:standard_detail", kwargs={"code": "vn-2026-2030"})
    body = client_for(officer_a).get(detail).content.decode()
    assert "chưa tìm thấy" in body
    assert "không phân loại theo điểm" in body
