"""What people see: officers read words, not the internal keys the code and the trail store."""

import ast
import html
import re
from pathlib import Path

from django.urls import reverse
from django.utils import translation

from accounts.audit_display import ACTION_LABELS
from households.models import Member
from households.services import household_update, member_update
from households.villages import village_create
from survey.services import response_start, response_submit, response_update
from survey.workflow import STEPS, response_return

ROOT = Path(__file__).resolve().parent.parent


def text_of(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_round_page_names_what_is_unverified_by_the_standards_labels(
    officer_a, round_2025, client_for
):
    url = reverse("survey:round_detail", kwargs={"public_id": round_2025.public_id})
    body = text_of(client_for(officer_a).get(url))
    assert "Chưa kiểm chứng" in body
    # vn-2022-2025: a parameter, indicators and the score card, each by its label.
    assert "Ngưỡng thu nhập của người lao động có thu nhập thấp" in body
    assert "Việc làm" in body and "Dinh dưỡng" in body
    assert "Bảng điểm ước lượng thu nhập" in body
    for raw in ("parameter:", "indicator:", "low_income_worker", "score_card", "employment"):
        assert raw not in body


def test_the_audit_trail_reads_in_words_and_keeps_the_citizen_id_masked(
    officer_a, district_reader, household_a, village_a, round_2025, client_for
):
    response = response_start(actor=officer_a, review_round=round_2025, household=household_a)
    response_update(
        actor=officer_a,
        response=response,
        values={"screening": "stop", "screening_reason": "Hộ có xe ô tô"},
        expected_version=response.version,
    )
    response_submit(actor=officer_a, response=response, expected_version=response.version)
    response_return(actor=district_reader, response=response, reason="Thiếu chữ ký")
    head = Member.objects.get(household=household_a)
    member_update(
        actor=officer_a,
        member=head,
        values={"full_name": head.full_name, "citizen_id": "035070000999"},
        expected_version=head.version,
    )
    other = village_create(actor=officer_a, commune=village_a.parent, name="Thôn Bắc", kind="thon")
    household_a.refresh_from_db()
    household_update(
        actor=officer_a,
        household=household_a,
        values={"village": other},
        expected_version=household_a.version,
    )

    body = text_of(client_for(officer_a).get(reverse("accounts:audit_list")))
    assert "Đăng ký hộ" in body and "Trả lại phiếu" in body and "Nộp phiếu" in body
    assert "Trạng thái: Đã nộp → Bị trả lại" in body
    assert "Kết quả Phiếu A: — → Không có dấu hiệu: dừng ở Phiếu A" in body
    assert "Thôn: Thôn Đông → Thôn Bắc" in body
    assert "Chủ hộ: Nguyễn Văn An" in body and "Thôn: Thôn Đông" in body  # the registration
    assert "13504-01" not in body  # a village's code
    # CCCD: the last digits only, as the trail stores it.
    assert "…0123 → …0999" in body
    assert "035070000999" not in body and "035070000123" not in body
    for raw in (
        "household_register",
        "response_return",
        "response_submit",
        "member_update",
        "'status'",
        "['",
        "returned",
        "screening_reason",
    ):
        assert raw not in body, raw


def _actions_written_by_services() -> set[str]:
    """Every `action="..."` passed to audit_record/audit_event in the app's code."""
    found = set()
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "tests", "tools"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
                "audit_record",
                "audit_event",
            }:
                for kw in node.keywords:
                    if kw.arg == "action" and isinstance(kw.value, ast.Constant):
                        found.add(kw.value.value)
    return found


def test_every_action_the_services_write_has_a_vietnamese_label():
    written = _actions_written_by_services() | set(STEPS)
    assert "household_register" in written and "complaint_record" in written  # the walk works
    assert written - set(ACTION_LABELS) == set()


def test_behind_the_language_switch_the_audit_trail_reads_in_english(
    officer_a, household_a, client_for
):
    client = client_for(officer_a)
    with translation.override("vi"):  # the language the requests switch to is undone after
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        body = text_of(client.get(reverse("accounts:audit_list")))
    assert "Register household" in body and "Đăng ký hộ" not in body
    assert "household_register" not in body
