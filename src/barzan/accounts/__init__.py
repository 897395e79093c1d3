"""
Accounts: users, logging in and out, passwords, two-factor authentication, API tokens,
and the administration of users and their grants.

Holders of privileged roles (see `access.models.Role.is_privileged`) must confirm a TOTP
device before they can use anything when BARZAN_TWO_FACTOR is "required".
"""
