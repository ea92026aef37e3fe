"""`visiobook check`: audit a service repository against the guidelines' checklists (spec 9).

Rules live in `rules/`, one module per category; `runner.run_check` runs those that apply to
the detected stack, and `report` renders the outcome as a table, JSON, SARIF or JUnit XML.
"""
