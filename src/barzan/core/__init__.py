"""
The shared ground every Barzan app stands on.

`core` holds the Jalali calendar (`jalali`), Persian text normalisation (`text`), the
UI shell (base template, navigation, error pages), base models and form fields, and test
helpers. It imports no other Barzan app.
"""
