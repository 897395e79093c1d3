"""Links shown only to those the policy lets through: no button on a page leads to a 403."""

from django import template
from django.urls import reverse

from barzan.access.views import may_open

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed_url(context, view_name, *args):
    """Return the URL of `view_name` when the page's user may open it, else "".

    `{% allowed_url "indicators:import_create" as import_url %}{% if import_url %}…`
    """
    url = reverse(view_name, args=args)
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not may_open(user, url):
        return ""
    return url
