from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    AGENCY = "agency", _("Government agency")
    MUNICIPALITY = "municipality", _("Municipality")
    CHARITY = "charity", _("Charity")
    NGO = "ngo", _("Non-governmental organization")
    COMMUNITY_SITE = "community_site", _("Community site")
    COUNCIL = "council", _("Council or working group")
    OTHER = "other", _("Other")
