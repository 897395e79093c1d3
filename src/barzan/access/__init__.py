"""
Access: who may do what, where.

A `Grant` gives a user a `Role` over an area and everything below it, optionally only
for one organization. Every decision is made in `access.policy`; scoped base views
(`access.views`) and API helpers (`access.api`) apply it, so domain code never checks
permissions itself. Each model that lies in an area registers how to reach it:

    access.register(Meeting, area="council__area")
"""


def register(model, **options):
    """Register `model` with the access policy (see `policy.Registry.register`)."""
    from .policy import registry

    registry.register(model, **options)
