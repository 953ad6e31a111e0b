"""Read-side queries of the review: rounds and forms, always through the user's unit scope."""

from uuid import UUID

from django.db.models import Case, Q, QuerySet, Subquery, When
from django.http import Http404

from accounts.models import User
from accounts.scoping import can_fill_forms, provinces_managed, provinces_taking_part, scoped
from areas.models import AdminUnit
from households.selectors import households_changeable, households_fillable

from .models import ResponseTransition, ReviewRound, SurveyResponse
from .workflow import EDITABLE_STATUSES


def rounds_visible(user: User) -> QuerySet[ReviewRound]:
    """Rounds of the province the user works in (everyone under a province takes part in them)."""
    return ReviewRound.objects.select_related("province", "province__edition").filter(
        province__in=provinces_taking_part(user)
    )


def rounds_manageable(user: User) -> QuerySet[ReviewRound]:
    """Rounds the user may open or close: provincial staff of the province, and admins."""
    return rounds_visible(user).filter(province__in=provinces_managed(user))


def round_get_or_404(user: User, public_id: UUID | str) -> ReviewRound:
    review_round = rounds_visible(user).filter(public_id=public_id).first()
    if review_round is None:
        raise Http404
    return review_round


def responses_visible(user: User) -> QuerySet[SurveyResponse]:
    return scoped(user, SurveyResponse.objects.all(), "village")


def response_get_or_404(
    user: User,
    public_id: UUID | str,
    *,
    change: bool = False,
    fill: bool = False,
    carried: bool = True,
) -> SurveyResponse:
    """A form in reach; `change`: of a household the officer changes (reopening); `fill`: of a
    household whose forms the user fills (surveyors and village heads too). `carried`: with last
    year's form it was carried from (and its round) fetched too, for the pages that compare with
    it; the running score, asked at every keystroke, does without.

    The form's own query joins what every caller reads (round, province, household, commune,
    village) and no more: with last year's form and its round joined as well, PostgreSQL spent
    longer planning the query (eight relations) than a second query for them costs; and no
    ORDER BY (`public_id` is unique), which `.first()` would add."""
    responses = responses_visible(user)
    if change:
        responses = responses.filter(household__in=households_changeable(user))
    elif fill:
        responses = responses.filter(household__in=households_fillable(user))
    found = list(
        responses.select_related(
            "review_round",
            "review_round__province",
            "household",
            "household__commune",
            "village",
        ).filter(public_id=public_id)[:1]
    )
    if not found:
        raise Http404
    response = found[0]
    if carried and response.carried_from_id is not None:
        response.carried_from = (
            SurveyResponse.objects.select_related("review_round")
            .filter(pk=response.carried_from_id)
            .first()
        )
    return response


def response_access(user: User, public_id: UUID | str) -> tuple[SurveyResponse, bool]:
    """A form the user may see, and whether they may edit its answers now: one query."""
    response = response_get_or_404(user, public_id)
    return response, response.status in EDITABLE_STATUSES and can_fill_forms(user, response.village)


def response_last_return(response: SurveyResponse) -> ResponseTransition | None:
    """Why, by whom and when a returned form was sent back (the latest return), else None."""
    if response.status != SurveyResponse.Status.RETURNED:
        return None
    return (
        response.transitions.filter(to_status=SurveyResponse.Status.RETURNED)
        .select_related("actor", "actor__unit")
        .order_by("-at", "-id")
        .first()
    )


def provinces_continued(province: AdminUnit) -> Q:
    """Rounds of this province or of an old province merged into it (areas.UnitSuccession): on
    the first round after the 1 July 2025 reorganisation, new Ninh Bình continues old Hà Nam, old
    Nam Định and old Ninh Bình. GSO codes do not carry this (a new province keeps one old code)."""
    return Q(province=province) | Q(province__successions__successor=province)


def previous_rounds(review_round: ReviewRound) -> list[ReviewRound]:
    """The latest periodic rounds before this round's year: the province's own, or on the first
    round of a merged province, one per old province (the movement report starts from all of
    them). One query; this round's own province first."""
    candidates = ReviewRound.objects.filter(
        provinces_continued(review_round.province),
        kind=ReviewRound.Kind.PERIODIC,
        year__lt=review_round.year,
    )
    latest = candidates.order_by("-year").values("year")[:1]
    return list(
        candidates.filter(year=Subquery(latest))
        .select_related("province", "province__edition")
        .annotate(own=Case(When(province=review_round.province, then=0), default=1))
        .order_by("own", "province__path")
        .distinct()
    )


def previous_round(review_round: ReviewRound) -> ReviewRound | None:
    """The latest periodic round of the province (or of an old province merged into it) before
    this round's year (the printed lists compare with its approved result; the movement report
    reads every one of `previous_rounds`)."""
    found = previous_rounds(review_round)
    return found[0] if found else None
