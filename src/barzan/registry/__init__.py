"""
The registry of organizations: agencies, municipalities, charities, NGOs, community sites.

An `Organization` sits in one area (its seat), which decides who may see and manage it,
and may cover other areas. Later issues add what organizations offer (4W).
"""
