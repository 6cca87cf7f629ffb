"""Kinds of notification and channels, shared with the apps that notify."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The steps of an application the applicant cares about (the cases app sends these). Other
# kinds are allowed (a dotted code such as "grant.approved"); these have a label in the inbox.
KINDS = {
    "case.accepted": _("Application accepted"),
    "case.correction_requested": _("Correction needed"),
    "case.approved": _("Application approved"),
    "case.rejected": _("Application rejected"),
    "case.ready_for_pickup": _("Ready for pickup"),
    "case.certificate_issued": _("Electronic certificate issued"),
    "certificate.expiring": _("Certificate expires soon"),
    "case.refused": _("Application not accepted"),
    "case.notice": _("Notice"),
}

EMAIL = "email"
SMS = "sms"
CHANNELS = (EMAIL, SMS)

# Where a person reads their messages (the portal's "My messages" page).
INBOX_PATH = "/account/messages/"
