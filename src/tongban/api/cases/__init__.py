"""Cases API (办件): apply, follow a case, accept it, approve it and close it.

Applicants submit in one call (``POST /cases``, idempotent with ``Idempotency-Key``) or step by
step (a draft, its materials, the submit), list their cases and read each one with its public
timeline (the acting department, never the staff member). Staff of the competent department
accept, refuse or return applications, work through the approval tasks, decide and close; a
window clerk registers a walk-in's application for any item of the city.

Authentication is the identity API's: the portal's session or an access token with the ``api``
scope (``X-Acting-For`` to act for a company). Authorisation is the cases services' and
selectors': a case the caller may not see answers 404 whatever the action; an action the caller
may not take on a case they see answers 403; a transition the case's state does not allow, 409.
"""

from tongban.api.cases import applying, staff  # noqa: F401 - the operations register on import
from tongban.api.cases.common import router

__all__ = ["router"]
