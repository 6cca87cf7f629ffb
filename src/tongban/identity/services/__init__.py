"""Identity services: every write about persons, companies, mandates, staff and sessions."""

from tongban.identity.services.accounts import (
    company_by_credit_code,
    company_register,
    id_number_index,
    known_regions,
    login_by_code,
    login_code_send,
    password_reset,
    person_confirm_in_person,
    person_create_at_counter,
    person_email_set,
    person_find_by_id_number,
    person_phone_change,
    person_phone_code_send,
    person_phone_verify,
    person_register,
    person_reveal_id_number,
    person_verify_with_registry,
    phone_index,
)
from tongban.identity.services.codes import TooManyRequests, code_check, code_send
from tongban.identity.services.counter import counter_serve_end, counter_serve_start
from tongban.identity.services.mandates import (
    acting_capacity,
    acting_for_set,
    mandate_grant,
    mandate_revoke,
)
from tongban.identity.services.sessions import session_ended, session_record, sessions_end
from tongban.identity.services.staff import staff_deactivate, staff_roles_set, staff_user_create

__all__ = [
    "TooManyRequests",
    "acting_capacity",
    "acting_for_set",
    "code_check",
    "code_send",
    "company_by_credit_code",
    "company_register",
    "counter_serve_end",
    "counter_serve_start",
    "id_number_index",
    "known_regions",
    "login_by_code",
    "login_code_send",
    "mandate_grant",
    "mandate_revoke",
    "password_reset",
    "person_confirm_in_person",
    "person_create_at_counter",
    "person_email_set",
    "person_find_by_id_number",
    "person_phone_change",
    "person_phone_code_send",
    "person_phone_verify",
    "person_register",
    "person_reveal_id_number",
    "person_verify_with_registry",
    "phone_index",
    "session_ended",
    "session_record",
    "sessions_end",
    "staff_deactivate",
    "staff_roles_set",
    "staff_user_create",
]
