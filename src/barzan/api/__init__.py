"""
The API under /api/v1/: django-ninja, with session and token authentication, one
error format, and each app's scoped router mounted here. Nothing imports this app.
"""
