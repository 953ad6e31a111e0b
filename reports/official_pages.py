"""The pages of the official tables of reports.tables: what each page's template reads.

The numbers come from `ReportTables` (the object the workbook lays out too); here they are only
put in rows for the templates, which have no way to call a method with an argument.
"""

from typing import Any

from django.utils.translation import gettext as _

from .charts import bar_chart
from .selectors import ReportTables
from .tables import GROUP_KEYS, GROUP_LABELS, LIST_LEVELS, TARGET_LABELS, TARGETS

# Tab labels, translated by the report layout as the other tabs are.
OFFICIAL_REPORTS = [
    ("unit_deprivations", "Thiếu hụt theo đơn vị"),
    ("policy_groups", "Nhóm chính sách"),
    ("ethnicity", "Dân tộc"),
    ("children", "Trẻ em"),
    ("lists", "Danh sách hộ"),
]


def official_context(tables: ReportTables, kind: str) -> dict[str, Any]:
    if kind == "unit_deprivations":
        blocks = []
        for target in TARGETS:
            table = tables.deprivations_by_unit[target]
            blocks.append(
                {
                    "label": TARGET_LABELS[target],
                    "indicators": table.indicators,
                    "rows": [
                        (r.label, r.households, r.deprivations, r.cells(table.keys), False)
                        for r in table.rows
                    ]
                    + [
                        (
                            table.total.label,
                            table.total.households,
                            table.total.deprivations,
                            table.total.cells(table.keys),
                            True,
                        )
                    ],
                }
            )
        return {"blocks": blocks}
    if kind == "policy_groups":
        groups = tables.policy_groups
        return {
            "group_labels": [GROUP_LABELS[k] for k in GROUP_KEYS],
            "targets": [TARGET_LABELS[t] for t in TARGETS],
            "rows": [
                (r.label, [r.cells(t) for t in TARGETS], r is groups.total)
                for r in [*groups.rows, groups.total]
            ],
            "chart": bar_chart(
                [r.label for r in groups.rows],
                [
                    (label, [r.counts["poor"][key] for r in groups.rows])
                    for key, label in (
                        ("minority", _("Dân tộc thiểu số")),
                        ("no_labour", _("Không có lao động")),
                        ("merit", _("Có người có công")),
                        ("allowance", _("Trợ cấp xã hội")),
                    )
                ],
                title=_("Hộ nghèo theo nhóm chính sách"),
            ),
        }
    if kind == "ethnicity":
        ethnic = tables.ethnicity
        return {
            "rows": [
                (e, ethnic.poor_share(e), ethnic.near_poor_share(e), e is ethnic.total)
                for e in [*ethnic.rows, ethnic.total]
            ]
        }
    if kind == "children":
        kids = tables.children
        keys = kids.keys
        return {
            "indicators": kids.indicators,
            "span": 2 + 2 * len(keys),
            "targets": [TARGET_LABELS[t] for t in TARGETS],
            "rows": [
                (
                    r.label,
                    [
                        (
                            r.households[t],
                            r.children[t],
                            [(r.deprived[t][k], r.rate(t, k)) for k in keys],
                        )
                        for t in TARGETS
                    ],
                    r is kids.total,
                )
                for r in [*kids.rows, kids.total]
            ],
        }
    # lists: a commune's or a village's only (larger units: the household export)
    if tables.scope.unit.level not in LIST_LEVELS:
        return {"lists": None}
    lists = tables.household_lists
    return {
        "lists": [
            (f"Danh sách {TARGET_LABELS[t].lower()}", lists.members[t], False) for t in TARGETS
        ]
        + [
            (f"Danh sách hộ thoát khỏi diện {TARGET_LABELS[t].lower()[3:]}", lists.exits[t], True)
            for t in TARGETS
        ],
        "list_previous_round": lists.previous_round,
    }
