"""Every write of the certificate library: types, issuing, status, keys, import, verification.

Each service checks the actor's permission, runs in one transaction and writes its audit record.
"""

from tongban.certificates.services.imports import certificate_import, certificate_import_parse
from tongban.certificates.services.issuance import (
    certificate_issue,
    certificate_new_version,
    certificate_type_define,
    holder_index,
)
from tongban.certificates.services.keys import (
    department_jwks,
    platform_jwks,
    signing_key_rotate,
)
from tongban.certificates.services.status import (
    certificate_expire,
    certificate_resume,
    certificate_revoke,
    certificate_supersede,
    certificate_suspend,
    certificates_expire_due,
    status_list_token,
)
from tongban.certificates.services.use import (
    LookedUp,
    certificate_use_record,
    certificates_lookup,
)
from tongban.certificates.services.verify import certificate_check, certificate_verify

__all__ = [
    "LookedUp",
    "certificate_check",
    "certificate_expire",
    "certificate_import",
    "certificate_import_parse",
    "certificate_issue",
    "certificate_new_version",
    "certificate_resume",
    "certificate_revoke",
    "certificate_supersede",
    "certificate_suspend",
    "certificate_type_define",
    "certificate_use_record",
    "certificate_verify",
    "certificates_expire_due",
    "certificates_lookup",
    "department_jwks",
    "holder_index",
    "platform_jwks",
    "signing_key_rotate",
    "status_list_token",
]
