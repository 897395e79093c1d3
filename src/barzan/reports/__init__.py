"""
Reports: the home dashboard now; dashboards, maps, PDF and Excel outputs as they come.

Reports only read, always through the access policy, and nothing imports this app.
"""
