"""A round's result as the chairman recognises it: entries, those staying, and exits.

QĐ 24/2021/QĐ-TTg, Điều 4 bước 4: the commune chairman recognises the poor and near-poor
households *and the households leaving poverty and near-poverty* in the same decision. So the
printed lists compare each household's proposed class with its approved class at the end of
the previous periodic round (`survey.selectors.previous_round`), as the movement report does.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Classification, ReviewRound, SurveyResponse
from .selectors import previous_round

C = Classification


@dataclass
class Section:
    key: str
    title: str | Promise
    rows: list[tuple[SurveyResponse, str]] = field(default_factory=list)  # (form, class before)


def result_sections(
    review_round: ReviewRound, responses: Sequence[SurveyResponse]
) -> tuple[ReviewRound | None, list[Section]]:
    """Split a village's forms into the sections of the printed lists (one query).

    Newly poor = poor now, not poor at the end of the previous round; leaving poverty = poor
    then, not poor now (near-poor, average or not poor); the same for near-poverty. A household
    moving from near-poor to poor is both newly poor and leaving near-poverty: each section
    shows the class before and after, so the reader sees which. Households of average living
    standard close the list. Forms without a final class are left out.
    """
    previous = previous_round(review_round)
    before: dict[int, str] = {}
    if previous is not None:
        before = dict(
            SurveyResponse.objects.filter(
                review_round=previous,
                status=SurveyResponse.Status.APPROVED,
                household_id__in=[r.household_id for r in responses],
            ).values_list("household_id", "final_classification")
        )
    sections = {
        "new_poor": Section("new_poor", _("Hộ nghèo mới")),
        "stay_poor": Section("stay_poor", _("Hộ nghèo tiếp tục")),
        "new_near_poor": Section("new_near_poor", _("Hộ cận nghèo mới")),
        "stay_near_poor": Section("stay_near_poor", _("Hộ cận nghèo tiếp tục")),
        "exit_poor": Section("exit_poor", _("Hộ thoát nghèo")),
        "exit_near_poor": Section("exit_near_poor", _("Hộ thoát cận nghèo")),
        "average": Section("average", _("Hộ có mức sống trung bình")),
    }
    labels = dict(C.choices)
    for response in responses:
        now, was = response.final_classification, before.get(response.household_id, "")
        row = (response, str(labels.get(was, _("Chưa có trong danh sách"))))
        for target in (C.POOR, C.NEAR_POOR):
            if now == target:
                sections[("stay_" if was == target else "new_") + target].rows.append(row)
            elif was == target and now:
                sections[f"exit_{target}"].rows.append(row)
        if now == C.AVERAGE:
            sections["average"].rows.append(row)
    return previous, list(sections.values())
