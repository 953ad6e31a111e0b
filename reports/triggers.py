"""The database triggers that mark the aggregates to rebuild (`reports.aggregates`, decision
record 0015), as SQL for PostgreSQL (statement triggers over transition tables: a COPY or a bulk
insert of a million forms writes one mark per commune, not one per form) and for SQLite (row
triggers: the demo and a development machine). Installed by migration 0003 and never edited
there: a change makes a new migration that calls `install` again.

What marks what (kind "r": a commune's response figures; "m": the movement groups of the
households living in a commune, in every round whose figures read the form's round: `RoundLink`):

- a form inserted or deleted, or updated while it counts on some basis (or did before): "r" for
  its commune, "m" for its household's commune;
- a deprivation, cause or need row of a counted form: "r" for the form's commune;
- a household whose status, commune, split origin or registration changed: "m" for its old and
  new commune, in the rounds of its forms;
- a round inserted or changed in year, kind, end or province, or any succession of units: every
  round, whole.
"""

# The SQL here is built from constants and table names only, never from input (S608).
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

# Statuses counted on some basis (`reports.selectors.COUNTED["submitted"]`, which includes
# "approved"); written out so that the migration does not move if that list ever does.
COUNTED_SQL = "('submitted', 'agreed', 'disputed', 'rechecked', 'posted', 'approved')"

MARK = "INSERT INTO reports_factmark (review_round_id, kind, commune_id)"
# Every table that has marking triggers.
MARKED_TABLES = (
    "survey_surveyresponse",
    "survey_responsedeprivation",
    "survey_responsecause",
    "survey_responseneed",
    "households_household",
    "survey_reviewround",
    "areas_unitsuccession",
)


def _pg_response_function(name: str, touched: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {MARK}
    WITH touched AS ({touched})
    SELECT DISTINCT round_id, 'r', commune_id FROM touched
    UNION
    SELECT DISTINCT l.target_id, 'm', h.commune_id
    FROM touched t
    JOIN reports_roundlink l ON l.source_id = t.round_id
    JOIN households_household h ON h.id = t.household_id;
    RETURN NULL;
END $$;
"""


def _pg_answer_function(name: str, rows: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {MARK}
    SELECT DISTINCT r.review_round_id, 'r', r.commune_id
    FROM {rows} x JOIN survey_surveyresponse r ON r.id = x.response_id
    WHERE r.status IN {COUNTED_SQL};
    RETURN NULL;
END $$;
"""


def _pg_statement_trigger(name: str, table: str, event: str, function: str) -> str:
    referencing = {
        "INSERT": "REFERENCING NEW TABLE AS new_rows",
        "DELETE": "REFERENCING OLD TABLE AS old_rows",
        "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }[event]
    return (
        f"DROP TRIGGER IF EXISTS {name} ON {table};\n"
        f"CREATE TRIGGER {name} AFTER {event} ON {table} {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();\n"
    )


ROUND_CHANGED = (
    "n.year IS DISTINCT FROM o.year OR n.kind IS DISTINCT FROM o.kind"
    " OR n.ends_on IS DISTINCT FROM o.ends_on OR n.province_id IS DISTINCT FROM o.province_id"
)
HOUSEHOLD_CHANGED = (
    "n.status IS DISTINCT FROM o.status OR n.commune_id IS DISTINCT FROM o.commune_id"
    " OR n.split_from_id IS DISTINCT FROM o.split_from_id"
    " OR n.created_at IS DISTINCT FROM o.created_at"
)
EVERY_ROUND = f"{MARK} SELECT id, 'r', NULL FROM survey_reviewround"


def postgresql() -> list[str]:
    sql = [
        _pg_response_function(
            "reports_mark_responses_ins",
            "SELECT review_round_id AS round_id, commune_id, household_id FROM new_rows",
        ),
        _pg_response_function(
            "reports_mark_responses_del",
            "SELECT review_round_id AS round_id, commune_id, household_id FROM old_rows",
        ),
        _pg_response_function(
            "reports_mark_responses_upd",
            f"""SELECT n.review_round_id AS round_id, n.commune_id, n.household_id
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.status IN {COUNTED_SQL} OR o.status IN {COUNTED_SQL}
                UNION
                SELECT o.review_round_id, o.commune_id, o.household_id
                FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.status IN {COUNTED_SQL} OR o.status IN {COUNTED_SQL}""",
        ),
        f"""
CREATE OR REPLACE FUNCTION reports_mark_households() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {MARK}
    SELECT DISTINCT l.target_id, 'm', c.commune_id
    FROM new_rows n
    JOIN old_rows o ON o.id = n.id
    JOIN survey_surveyresponse r ON r.household_id = n.id
    JOIN reports_roundlink l ON l.source_id = r.review_round_id
    CROSS JOIN LATERAL (VALUES (n.commune_id), (o.commune_id)) AS c (commune_id)
    WHERE {HOUSEHOLD_CHANGED};
    RETURN NULL;
END $$;
""",
        f"""
CREATE OR REPLACE FUNCTION reports_mark_rounds_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {ROUND_CHANGED})
    THEN {EVERY_ROUND}; END IF;
    RETURN NULL;
END $$;
""",
        f"""
CREATE OR REPLACE FUNCTION reports_mark_every_round() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {EVERY_ROUND};
    RETURN NULL;
END $$;
""",
    ]
    response = "survey_surveyresponse"
    sql.append(
        _pg_statement_trigger("reports_marks_ins", response, "INSERT", "reports_mark_responses_ins")
    )
    sql.append(
        _pg_statement_trigger("reports_marks_del", response, "DELETE", "reports_mark_responses_del")
    )
    sql.append(
        _pg_statement_trigger("reports_marks_upd", response, "UPDATE", "reports_mark_responses_upd")
    )
    for table in ("survey_responsedeprivation", "survey_responsecause", "survey_responseneed"):
        for event, rows in (("INSERT", "new_rows"), ("DELETE", "old_rows"), ("UPDATE", "new_rows")):
            function = f"reports_mark_{table.split('_')[1]}_{event.lower()}"
            sql.append(_pg_answer_function(function, rows))
            sql.append(
                _pg_statement_trigger(f"reports_marks_{event.lower()}", table, event, function)
            )
    sql.append(
        _pg_statement_trigger(
            "reports_marks_upd", "households_household", "UPDATE", "reports_mark_households"
        )
    )
    sql.append(
        _pg_statement_trigger(
            "reports_marks_upd", "survey_reviewround", "UPDATE", "reports_mark_rounds_changed"
        )
    )
    sql.append(
        "DROP TRIGGER IF EXISTS reports_marks_ins ON survey_reviewround;\n"
        "CREATE TRIGGER reports_marks_ins AFTER INSERT ON survey_reviewround "
        "FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_every_round();\n"
    )
    sql.append(
        "DROP TRIGGER IF EXISTS reports_marks_any ON areas_unitsuccession;\n"
        "CREATE TRIGGER reports_marks_any AFTER INSERT OR UPDATE OR DELETE ON areas_unitsuccession "
        "FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_every_round();\n"
    )
    return sql


def _sqlite_response(row: str) -> str:
    return (
        f"{MARK} VALUES ({row}.review_round_id, 'r', {row}.commune_id);\n"
        f"    {MARK} SELECT l.target_id, 'm', h.commune_id FROM reports_roundlink l, "
        f"households_household h WHERE l.source_id = {row}.review_round_id "
        f"AND h.id = {row}.household_id;"
    )


def _sqlite_condition(condition: str) -> str:
    return (
        condition.replace("n.", "NEW.")
        .replace("o.", "OLD.")
        .replace(" IS DISTINCT FROM ", " IS NOT ")
    )


def sqlite() -> list[str]:
    counted = f"NEW.status IN {COUNTED_SQL} OR OLD.status IN {COUNTED_SQL}"
    response = "survey_surveyresponse"
    sql = [
        f"CREATE TRIGGER IF NOT EXISTS reports_marks_ins AFTER INSERT ON {response} BEGIN\n"
        f"    {_sqlite_response('NEW')}\nEND;",
        f"CREATE TRIGGER IF NOT EXISTS reports_marks_del AFTER DELETE ON {response} BEGIN\n"
        f"    {_sqlite_response('OLD')}\nEND;",
        f"CREATE TRIGGER IF NOT EXISTS reports_marks_upd AFTER UPDATE ON {response} "
        f"WHEN {counted} BEGIN\n    {_sqlite_response('NEW')}\n    {_sqlite_response('OLD')}\nEND;",
    ]
    for table in ("survey_responsedeprivation", "survey_responsecause", "survey_responseneed"):
        short = table.split("_")[1]
        for event, row in (("INSERT", "NEW"), ("DELETE", "OLD"), ("UPDATE", "NEW")):
            sql.append(
                f"CREATE TRIGGER IF NOT EXISTS reports_marks_{short}_{event.lower()} AFTER {event} "
                f"ON {table} BEGIN\n    {MARK} SELECT r.review_round_id, 'r', r.commune_id "
                f"FROM survey_surveyresponse r WHERE r.id = {row}.response_id "
                f"AND r.status IN {COUNTED_SQL};\nEND;"
            )
    household_changed = _sqlite_condition(HOUSEHOLD_CHANGED)
    rounds_of_household = (
        "FROM survey_surveyresponse r JOIN reports_roundlink l "
        "ON l.source_id = r.review_round_id WHERE r.household_id = NEW.id"
    )
    sql.append(
        "CREATE TRIGGER IF NOT EXISTS reports_marks_household AFTER UPDATE ON households_household "
        f"WHEN {household_changed} BEGIN\n"
        f"    {MARK} SELECT DISTINCT l.target_id, 'm', NEW.commune_id {rounds_of_household};\n"
        f"    {MARK} SELECT DISTINCT l.target_id, 'm', OLD.commune_id {rounds_of_household};\n"
        "END;"
    )
    round_changed = _sqlite_condition(ROUND_CHANGED)
    sql += [
        "CREATE TRIGGER IF NOT EXISTS reports_marks_round_ins AFTER INSERT ON survey_reviewround "
        f"BEGIN\n    {EVERY_ROUND};\nEND;",
        "CREATE TRIGGER IF NOT EXISTS reports_marks_round_upd AFTER UPDATE ON survey_reviewround "
        f"WHEN {round_changed} BEGIN\n    {EVERY_ROUND};\nEND;",
    ]
    for event in ("INSERT", "UPDATE", "DELETE"):
        sql.append(
            f"CREATE TRIGGER IF NOT EXISTS reports_marks_succession_{event.lower()} AFTER {event} "
            f"ON areas_unitsuccession BEGIN\n    {EVERY_ROUND};\nEND;"
        )
    return sql


def install(apps: Any, schema_editor: Any) -> None:
    """Migration step: the triggers of this database's vendor, and a whole-round mark for every
    round already there (its aggregates are made at its first report)."""
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": postgresql, "sqlite": sqlite}.get(vendor)
    if statements is None:
        raise NotImplementedError(f"no aggregate triggers for {vendor}")
    for statement in statements():
        schema_editor.execute(statement, params=None)
    schema_editor.execute(f"{EVERY_ROUND}", params=None)
