from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.scoping import scoped
from households.selectors import households_changeable

from .models import SurveyResponse


def responses_visible(user: User) -> QuerySet[SurveyResponse]:
    return scoped(user, SurveyResponse.objects.all(), "village")


def response_get_or_404(
    user: User, public_id: UUID | str, *, change: bool = False
) -> SurveyResponse:
    responses = responses_visible(user)
    if change:
        responses = responses.filter(household__in=households_changeable(user))
    response = (
        responses.select_related(
            "review_round",
            "review_round__province",
            "household",
            "household__commune",
            "village",
        )
        .filter(public_id=public_id)
        .first()
    )
    if response is None:
        raise Http404
    return response
