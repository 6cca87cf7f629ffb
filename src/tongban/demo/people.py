"""The demo city's people, companies and staff second factors (fictitious; deterministic).

ID numbers use the city's region codes (99…, unused by GB/T 2260) with real check characters.
"""

from __future__ import annotations

import base64
import hashlib

from tongban.core.ids import citizen_id_check, org_code_check, uscc_check


def citizen_id(region: str, birth: str, sequence: int) -> str:
    body = f"{region}{birth}{sequence:03d}"
    return body + citizen_id_check(body)


def company_code(region: str, serial: int) -> str:
    """A unified social credit code of a limited company (9 工商, 1 企业)."""
    body = f"C{serial:07d}"
    head = f"91{region}{body}{org_code_check(body)}"
    return head + uscc_check(head)


# name, ID number, mobile, assurance level on the demo (None: only in the registry)
PEOPLE = [
    ("张伟", citizen_id("990102", "19850312", 11), "13800000001", 1),
    ("李娜", citizen_id("990103", "19900708", 22), "13800000002", 2),
    ("王芳", citizen_id("990104", "19920220", 44), "13800000003", 1),
    ("陈静", citizen_id("990102", "19950505", 62), "13800000004", None),
    ("欧阳·明", citizen_id("990103", "19780101", 13), "13800000005", None),
]

COMPANIES = [
    # name, credit code, representative (index into PEOPLE), status
    ("江川示范科技有限公司", company_code("990102", 1), 1, "active"),
    ("江川清风餐饮有限公司", company_code("990103", 2), 0, "active"),
    ("江川旧城贸易有限公司", company_code("990104", 3), 0, "revoked"),
    # 陈静 has no account on the demo: she registers, verifies and links her company.
    ("江川晨光文化传媒有限公司", company_code("990102", 4), 3, "active"),
]


def totp_key(username: str) -> str:
    """The demo staff's TOTP key (hex, 20 bytes), fixed so the demo can print it."""
    return hashlib.sha1(f"tongban-demo-totp:{username}".encode()).hexdigest()  # noqa: S324


def totp_secret(username: str) -> str:
    """The same key in base32, as authenticator apps take it."""
    return base64.b32encode(bytes.fromhex(totp_key(username))).decode()
