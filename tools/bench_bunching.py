"""Time the bunching report on a synthetic province: ``python -m tools.bench_bunching``.

PostgreSQL only (``DATABASE_URL``). Creates once, in its own tree edition ``bench-dồn``, a province
of ``BENCH_HOUSEHOLDS`` households (default 1,000,000): 8 districts, 1,200 communes (one in ten a
phường), one village each, one submitted form per household in a 2025 round of vn-2022-2025: 60 %
on the income path (log-normal incomes, median 2.200.000 đồng), 30 % on the score path (whole
points around 150), 10 % stopped at Phiếu A. Written by INSERT … SELECT generate_series, not the
ORM. Then prints the median of 3 runs of ``bunching_report`` for the province (after one untimed
run that also pays the ~1 s import of rddensity), and the time of the values query alone.
"""

# ruff: noqa: S608

from __future__ import annotations

import os
import statistics
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("tools.bench_bunching: set DATABASE_URL=postgres://...", file=sys.stderr)
        sys.exit(2)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rr, province = _province(int(os.environ.get("BENCH_HOUSEHOLDS", "1000000")))

    from reports.integrity.bunching import bunching_report

    t0 = time.perf_counter()
    findings, records = bunching_report(rr, province)
    print(f"first_run_s={time.perf_counter() - t0:.3f}")
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        findings, records = bunching_report(rr, province)
        runs.append(time.perf_counter() - t0)
    print(f"bunching_report_s={statistics.median(runs):.3f}")
    print(f"tests_run={sum(r.p_value is not None for r in records)}")
    print(f"tests_skipped={sum(r.skipped is not None for r in records)}")
    print(f"findings={len(findings)}")
    for f in findings:
        print(f"  {f.key} p={f.detail['p_value']:.2g} ratio={f.detail['density_ratio']}")


def _province(n: int):  # type: ignore[no-untyped-def]
    from django.db import connection, transaction

    from accounts.models import User
    from areas.models import AdminUnit, TreeEdition
    from households.models import Household
    from survey.models import ReviewRound, SurveyResponse

    province = AdminUnit.objects.filter(edition__code="bench-don", level="province").first()
    if province is not None:
        return ReviewRound.objects.get(province=province, year=2025), province
    t0 = time.perf_counter()
    with transaction.atomic():
        edition = TreeEdition.objects.create(code="bench-don", name="Thử dồn", has_districts=True)
        user = User.objects.create(username="bench-don", role=User.Role.ADMIN)
        province = AdminUnit.objects.create(
            edition=edition,
            level="province",
            kind="tinh",
            code="99",
            name="Tỉnh Dồn",
            path="bench-don/99/",
        )
        communes, villages = [], []
        for d in range(1, 9):
            district = AdminUnit.objects.create(
                edition=edition,
                parent=province,
                level="district",
                kind="huyen",
                code=f"99{d}",
                name=f"Huyện {d}",
                path=f"{province.path}99{d}/",
            )
            for c in range(150):
                code = f"9{d}{c:03d}"
                commune = AdminUnit.objects.create(
                    edition=edition,
                    parent=district,
                    level="commune",
                    kind="phuong" if c % 10 == 0 else "xa",
                    code=code,
                    name=f"Xã {code}",
                    path=f"{district.path}{code}/",
                )
                village = AdminUnit.objects.create(
                    edition=edition,
                    parent=commune,
                    level="village",
                    kind="thon",
                    code=f"{code}01",
                    name="Thôn 1",
                    path=f"{commune.path}{code}01/",
                )
                communes.append(commune.pk)
                villages.append(village.pk)
        rr = ReviewRound.objects.create(
            province=province,
            year=2025,
            kind="periodic",
            standard_code="vn-2022-2025",
            starts_on="2025-09-01",
            ends_on="2025-12-14",
            opened_by=user,
        )
        h = Household._meta.db_table
        r = SurveyResponse._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {h} (public_id, commune_id, village_id, number, address, phone, "
                "status, status_reason, head_name, head_name_key, version, created_at, "
                "updated_at, created_by_id) "
                "SELECT gen_random_uuid(), (%s::int[])[1 + g %% 1200], (%s::int[])[1 + g %% 1200],"
                " g::text, 'x', '', 'active', '', '', '', 1, now(), now(), %s "
                "FROM generate_series(1, %s) g",
                [communes, villages, user.pk, n],
            )
            # Box–Muller normals; income path 60 %, score path 30 %, Phiếu A stop 10 %.
            cur.execute(
                f"""
                INSERT INTO {r} (public_id, review_round_id, household_id, commune_id, village_id,
                  status, screening, screening_reason, screening_criteria, water_source,
                  information_means,
                  direct_answers, agricultural, card_answers, card_flags, income_by_source,
                  poverty_causes, poverty_cause_other, support_needs, support_need_other,
                  standard_code, income_score_by_hand, income_per_capita, income_score, deprived,
                  computed_classification, final_classification, override_reason,
                  head_minority, has_person_of_merit, no_labour_capacity, has_social_allowance,
                  head_ethnicity, child_count, version, confirmed_sections, imported,
                  decision_number, created_at, updated_at, created_by_id)
                SELECT gen_random_uuid(), %s, id, commune_id, village_id, 'submitted', 'proceed',
                  '', '[]', '', '[]', '{{}}', false, '{{}}', '[]', '{{}}', '[]', '', '[]', '',
                  'vn-2022-2025', false,
                  CASE WHEN u < 0.6 THEN round(exp(ln(2200000) + 0.6 * z)) END,
                  CASE WHEN u >= 0.6 AND u < 0.9 THEN round(150 + 30 * z) END,
                  '[]', 'not_poor', 'not_poor', '', false, false, false, false, '', 0, 1, '[]',
                  false, '', now(), now(), %s
                FROM (
                  SELECT id, commune_id, village_id, random() AS u,
                    sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z
                  FROM {h} WHERE commune_id = ANY(%s::int[])
                ) s
                """,
                [rr.pk, user.pk, communes],
            )
            cur.execute(f"ANALYZE {h}; ANALYZE {r};")
    print(f"generated_s={time.perf_counter() - t0:.1f}")
    return rr, province


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    main()
