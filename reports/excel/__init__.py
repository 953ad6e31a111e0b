"""The reports as Excel workbooks (openpyxl), in four parts:

- `cells`: user text that stays text (a text beginning with "=", "+", "-" or "@" is never a
  formula);
- `layout`: the official-table layout kit every workbook uses (the administrative heading and form
  number, title, unit, period, merged multi-row headers, column-number row, bordered rows and
  totals row, row heights that show wrapped text, print setup, signature block, download names);
- `summary`: `report_workbook`, the round's report tables, one sheet each;
- `households`: `households_export`, the detailed household list, streamed.

The workbooks lay out what `reports.selectors` computes; they never count anything themselves.
"""
