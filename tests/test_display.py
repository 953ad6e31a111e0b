"""What people read: years and codes are never grouped like amounts ("1.978", "2.016–2.021")."""

import re

from django.urls import reverse

from households.services import member_add
from survey.models import ProvinceTarget

GROUPED_YEAR = re.compile(r"\b(19|20)\d\.\d\d\d\b|\b[12]\.[09]\d\d\b")


def test_a_birth_year_is_written_as_a_year(officer_a, household_a, client_for):
    member_add(
        actor=officer_a,
        household=household_a,
        values={
            "full_name": "Trần Thị Bình",
            "birth_year": 1978,
            "sex": "female",
            "ethnicity": "01",
            "relationship": "spouse",
        },
    )
    body = client_for(officer_a).get(
        reverse("households:detail", kwargs={"public_id": household_a.public_id})
    )
    text = body.content.decode()
    assert "<td>1978</td>" in text
    assert not GROUPED_YEAR.search(text)


def test_the_standards_page_writes_periods_as_years(admin, client_for):
    text = client_for(admin).get(reverse("survey:standard_list")).content.decode()
    assert "2016–2021" in text or "2016–2020" in text
    assert not GROUPED_YEAR.search(text)


def test_the_province_report_writes_the_round_year_as_a_year(
    province_reader, world, client_for, legacy_tree
):
    review_round = world["rounds"][2024]
    province = province_reader.unit
    ProvinceTarget.objects.create(
        province=province, year=2024, target_poverty_rate="2.50", recorded_by=province_reader
    )
    url = reverse(
        "reports:report",
        kwargs={
            "round_id": review_round.public_id,
            "unit_id": province.public_id,
            "kind": "summary",
        },
    )
    text = client_for(province_reader).get(url).content.decode()
    assert "năm 2024" in text
    assert not GROUPED_YEAR.search(text)
