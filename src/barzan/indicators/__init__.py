"""
Indicators: the aggregate figures agencies report about areas and periods.

The app owns the catalogue (Indicator, DataSet, Breakdown), the Jalali Periods, the raw
IndicatorValues with their history, the stored roll-ups up the area tree, validation
rules between indicators, imports and exports in CSV, XLSX and the DHIS2 formats, and
the profile (شناسنامه) of an area.
"""
