"""Administrators' pages that need the organisation and the agreements together: onboarding a
workplace (with its first agreement), merging units (with a new agreement for the survivor), and
what each person may see and do, and why. `units` may not import `agreements`, so these live in
the project."""
