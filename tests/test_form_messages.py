"""One language at a time: every message of the main forms, fed bad input, is in good Vietnamese.

Django's own messages used to come out in English among Vietnamese ones (its "vi" catalogue is
from 2020) or in awkward Vietnamese ("Nhập một số tổng thể.", a space before the full stop);
locale/vi/LC_MESSAGES/django.po overrides them. Each case posts empty input and wrong input
(letters in numbers, impossible dates, over-long text) to one form, as a user who may use it, and
reads the page the user then sees.
"""

import html
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from households.models import Member
from survey.services import response_start

from .conftest import PASSWORD

# Words of Django's English messages ("This field is required.", "Enter a whole number.",
# "Ensure this value has at most 150 characters", "Select a valid choice"...).
ENGLISH = re.compile(
    r"This field|Enter a|Ensure this|Ensure that|Select a|\bvalid\b|\brequired\b|"
    r"\bcharacters?\b|\bpassword\b|didn.t match|already exists|\bPlease\b|is not one of",
    re.IGNORECASE,
)
# Django's "vi" wording replaced by ours.
AWKWARD = re.compile(
    r"tổng thể|Trường này|là bắt buộc|Đảm bảo|Hãy chắc chắn|(?<!ãy )[Nn]hập một|khả thi|"
    r"Hãy nhập lại lần nữa|Mật khẩu cũ|\s\.(?:\s|$)"
)
LONG = "x" * 2000


def visible_text(body: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@dataclass
class Case:
    user: str
    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def draft(officer_a, household_a, round_2025):
    return response_start(actor=officer_a, review_round=round_2025, household=household_a)


@pytest.fixture
def cases(household_a, village_a, commune_a, round_2025, draft, province_reader):
    head = Member.objects.get(household=household_a)
    ws = {"round_id": round_2025.public_id, "village_id": village_a.public_id}

    def section(name: str) -> str:
        return reverse(
            "survey:response_section", kwargs={"public_id": draft.public_id, "section": name}
        )

    bad_member = {
        "full_name": LONG,
        "birth_year": "một chín bảy mươi",
        "birth_date": "31/02/1970",
        "sex": "x",
        "ethnicity": "zz",
        "citizen_id": LONG,
        "education": "zz",
        "monthly_social_allowance": "năm trăm",
    }
    return {
        "household register": Case(
            "officer_a",
            reverse("households:new"),
            [
                {},
                {
                    "village": "abc",
                    "number": LONG,
                    "address": LONG,
                    "phone": LONG,
                    **{f"head-{k}": v for k, v in bad_member.items()},
                },
            ],
        ),
        "member add": Case(
            "officer_a",
            reverse("households:member_new", kwargs={"public_id": household_a.public_id}),
            [{}, {**bad_member, "relationship": "zz"}],
        ),
        "member edit": Case(
            "officer_a",
            reverse("households:member_edit", kwargs={"public_id": head.public_id}),
            [{"version": head.version}, {**bad_member, "version": "abc"}],
        ),
        "form section A": Case(
            "officer_a",
            section("screening"),
            [{"version": draft.version, "screening": "zz", "screening_reason": LONG * 3}],
        ),
        "form section housing": Case(
            "officer_a",
            section("housing"),
            [
                {
                    "version": draft.version,
                    "floor_area_m2": "hai mươi",
                    "water_source": "zz",
                    "wall_durable": "zz",
                },
                {"version": draft.version, "floor_area_m2": "123456789"},
            ],
        ),
        "form section income": Case(
            "officer_a",
            section("income"),
            [
                {
                    "version": draft.version,
                    "income__wages": "ba triệu",
                    "income_score_manual": "abc",
                }
            ],
        ),
        "meeting": Case(
            "officer_a",
            reverse("survey:meeting_new", kwargs=ws),
            [{}, {"held_on": "31/02/2025", "attendance": "ba mươi", "chaired_by": LONG}],
        ),
        "posting": Case(
            "officer_a",
            reverse("survey:posting_new", kwargs=ws),
            [{}, {"starts_on": "2025-13-45", "place": LONG}],
        ),
        "complaint": Case(
            "officer_a",
            reverse("survey:complaint_new", kwargs=ws),
            [{}, {"response": "zz", "received_on": "hôm qua", "complainant": LONG}],
        ),
        "approval": Case(
            "officer_a",
            reverse("survey:approve", kwargs=ws),
            [{}, {"decision_number": LONG, "decision_date": "32/12/2025"}],
        ),
        "account create": Case(
            "admin",
            reverse("accounts:user_add"),
            [
                {},
                {
                    "username": "Xã Bình Nghĩa!",
                    "full_name": LONG,
                    "email": "không-phải-thư",
                    "role": "zz",
                    "unit_code": LONG,
                },
            ],
        ),
        "password change": Case(
            "officer_a",
            reverse("accounts:password_change"),
            [
                {},
                {"old_password": "sai", "new_password1": "123", "new_password2": "456"},
                {
                    "old_password": PASSWORD,
                    "new_password1": "12345678901234",
                    "new_password2": "12345678901234",
                },
                {
                    "old_password": PASSWORD,
                    "new_password1": "password1234",
                    "new_password2": "password1234",
                },
            ],
        ),
        "criteria": Case(
            "province_reader",
            reverse("survey:criteria"),
            [{"province": province_reader.unit.pk, "text": LONG}],
        ),
        "target": Case(
            "province_reader",
            reverse(
                "reports:target_set",
                kwargs={
                    "round_id": round_2025.public_id,
                    "unit_id": province_reader.unit.public_id,
                },
            ),
            [{}, {"target": "hai phẩy năm"}, {"target": "150"}],
        ),
        "round open": Case(
            "province_reader",
            reverse("survey:round_new"),
            [
                {},
                {
                    "province": province_reader.unit.pk,
                    "year": "hai nghìn",
                    "kind": "zz",
                    "month": "13",
                    "starts_on": "31/02/2025",
                    "ends_on": "abc",
                },
                {"province": province_reader.unit.pk, "year": "2099", "kind": "periodic"},
            ],
        ),
        "village add": Case(
            "officer_a",
            reverse("units:village_add", kwargs={"public_id": commune_a.public_id}),
            [{}, {"name": LONG, "kind": "zz"}],
        ),
    }


FORMS = [
    "household register",
    "member add",
    "member edit",
    "form section A",
    "form section housing",
    "form section income",
    "meeting",
    "posting",
    "complaint",
    "approval",
    "account create",
    "password change",
    "criteria",
    "target",
    "round open",
    "village add",
]


@pytest.mark.parametrize("name", FORMS)
def test_bad_input_is_answered_in_good_vietnamese_only(name, cases, request, client_for):
    case = cases[name]
    client = client_for(request.getfixturevalue(case.user))
    for data in case.posts:
        # "empty": an empty POST is falsy, and views that bind `request.POST or None` would not
        # validate at all; one blank unknown key makes it a submitted empty form.
        response = client.post(case.url, {"empty": "", **data}, follow=True)
        assert response.status_code == 200, (name, data, response.status_code)
        body = response.content.decode()
        # The page does show an error (else there would be nothing to judge).
        assert re.search(r"invalid-feedback|alert-danger|errorlist|is-invalid", body), (name, data)
        text = visible_text(body)
        english = ENGLISH.findall(text)
        assert not english, (name, data, english, _around(text, ENGLISH))
        awkward = AWKWARD.findall(text)
        assert not awkward, (name, data, awkward, _around(text, AWKWARD))


def _around(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [text[max(0, m.start() - 80) : m.end() + 40] for m in pattern.finditer(text)][:3]


@pytest.mark.parametrize(
    ("field", "value", "english", "vietnamese"),
    [
        ("birth_year", "abc", "Enter a whole number.", "Hãy nhập một số nguyên, chỉ gồm chữ số."),
        ("birth_date", "31/02/1970", "Enter a valid date.", "Ngày không hợp lệ"),
    ],
)
def test_the_english_page_says_it_in_english(
    officer_a, household_a, client_for, field, value, english, vietnamese
):
    """Behind the language switch, Django's own messages stay in English: one language at a time."""
    client = client_for(officer_a)
    url = reverse("households:member_new", kwargs={"public_id": household_a.public_id})
    with translation.override("vi"):  # the language the requests switch to is undone after
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        body = visible_text(client.post(url, {field: value}).content.decode())
    assert english in body and vietnamese not in body
