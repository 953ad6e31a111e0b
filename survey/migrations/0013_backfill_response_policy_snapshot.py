"""Fill the new snapshot fields of submitted forms from their households' present members.

Forms submitted from now on take them at submission (survey.services.response_fill_result); for
the forms already there the members as they stand are the best record there is. Set-based: one
UPDATE per field and round, whatever the number of forms.
"""

from django.db import migrations
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

CHILD_AGE = 16


def backfill(apps, schema_editor):
    SurveyResponse = apps.get_model("survey", "SurveyResponse")
    Member = apps.get_model("households", "Member")
    ReviewRound = apps.get_model("survey", "ReviewRound")
    present = Member.objects.filter(household=OuterRef("household_id"), status="present")
    submitted = SurveyResponse.objects.exclude(final_classification="")
    submitted.update(
        has_social_allowance=Exists(present.filter(monthly_social_allowance__gt=0)),
        head_ethnicity=Coalesce(
            Subquery(present.filter(relationship="head").values("ethnicity")[:1]), Value("")
        ),
    )
    for round_id, year in ReviewRound.objects.values_list("pk", "year"):
        children = (
            present.filter(birth_year__gt=year - CHILD_AGE)
            .order_by()
            .values("household_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        submitted.filter(review_round_id=round_id).update(
            child_count=Coalesce(Subquery(children, output_field=IntegerField()), Value(0))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0003_import_baseline"),
        ("survey", "0012_response_policy_snapshot"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
