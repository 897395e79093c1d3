"""The walked site's fixtures, for every test of this package."""

from barzan.reports.tests.site import catalogue, neighborhoods, site  # noqa: F401
