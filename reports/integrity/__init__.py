"""Integrity watch (issue 13): signals that a round's results deserve a second look, for district
and provincial staff: households split near the round, bunching at the cut-offs, exits without a
change, communes landing on the target, the same person in two households.

A finding is a question, never a verdict: its explanation says what was seen and why it deserves a
look, and staff record what they found (`types.Finding`).
"""
