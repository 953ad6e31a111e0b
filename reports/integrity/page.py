"""What the findings page shows beside the findings: the households by name, both sides of a
split with their members, the latest follow-up of each finding. Three queries whatever the
number of findings."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet

from households.models import Household, Member

from ..models import FindingFollowUp
from .findings import CLASS_LABELS, KIND_LABELS, IntegrityReport
from .types import KINDS, Finding


@dataclass
class HouseholdLine:
    public_id: str
    head_name: str
    number: str
    commune: str
    village: str
    members: list[tuple[str, str]] = field(default_factory=list)  # (name, relationship)


@dataclass
class Item:
    finding: Finding
    households: list[HouseholdLine]
    follow_up: FindingFollowUp | None
    # Households of the finding outside the reader's units: counted, never named.
    hidden: int = 0
    # A split: the original household and the parts, each with its result then and now.
    sides: list[tuple[str, HouseholdLine, str]] = field(default_factory=list)


@dataclass
class Section:
    kind: str
    label: str
    items: list[Item]


def follow_ups_latest(review_round: Any, keys: list[str]) -> dict[str, FindingFollowUp]:
    """The latest follow-up of each finding key: one query."""
    latest: dict[str, FindingFollowUp] = {}
    if not keys:
        return latest
    for follow_up in (
        FindingFollowUp.objects.filter(review_round=review_round, key__in=keys)
        .select_related("recorded_by")
        .order_by("key", "-recorded_at", "-id")
    ):
        latest.setdefault(follow_up.key, follow_up)
    return latest


def sections(report: IntegrityReport, visible: QuerySet[Household]) -> list[Section]:
    """The findings by kind, with their households among `visible` (the reader's: a finding
    about a person in two households may reach one outside a district reader's units)."""
    ids = {h for f in report.findings for h in f.households}
    lines: dict[str, HouseholdLine] = {}
    if ids:
        for row in visible.filter(public_id__in=ids).values(
            "public_id", "head_name", "number", "commune__name", "village__name"
        ):
            lines[str(row["public_id"])] = HouseholdLine(
                public_id=str(row["public_id"]),
                head_name=row["head_name"] or "(chưa có chủ hộ)",
                number=row["number"],
                commune=row["commune__name"],
                village=row["village__name"],
            )
    split_ids = {h for f in report.findings if f.kind == "split" for h in f.households}
    if split_ids:
        relationship = dict(Member.Relationship.choices)
        members: Any = (
            Member.objects.filter(household__public_id__in=split_ids, status=Member.Status.PRESENT)
            .values("full_name", "relationship", household_public_id=F("household__public_id"))
            .order_by("household_id", "id")
        )
        for row in members:
            line = lines.get(str(row["household_public_id"]))
            if line is not None:
                line.members.append(
                    (row["full_name"], str(relationship.get(row["relationship"], "")))
                )
    latest = follow_ups_latest(report.review_round, [f.key for f in report.findings])
    result = []
    for kind in KINDS:
        items = []
        for finding in report.findings:
            if finding.kind != kind:
                continue
            households = [lines[h] for h in finding.households if h in lines]
            item = Item(
                finding=finding,
                households=households,
                follow_up=latest.get(finding.key),
                hidden=len(finding.households) - len(households),
            )
            if kind == "split":
                detail = finding.detail
                origin = lines.get(detail["origin"])
                if origin is not None:
                    item.sides.append(
                        (
                            "Hộ gốc",
                            origin,
                            f"Đợt trước: {_label(detail['origin_previous_classification'])}; "
                            f"đợt này: {_label(detail['origin_classification'])}",
                        )
                    )
                for part in detail["parts"]:
                    line = lines.get(part["household"])
                    if line is not None:
                        item.sides.append(
                            (
                                "Hộ tách ra",
                                line,
                                f"Tách ngày {_date(part['split_on'])}; "
                                f"đợt này: {_label(part['classification'])}",
                            )
                        )
            items.append(item)
        result.append(Section(kind=kind, label=KIND_LABELS[kind], items=items))
    return result


def _label(value: str | None) -> str:
    return CLASS_LABELS.get(value or "", "chưa có kết quả")


def _date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
