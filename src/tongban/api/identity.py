"""Identity API (统一身份认证): a person's profile, assurance level, companies and mandates.

Callers authenticate with the portal's browser session or with ``Authorization: Bearer`` and an
access token issued by Tongban's OpenID Connect provider with the ``api`` scope. A caller acts
for a company (as its legal representative or a mandated agent) by sending the company's credit
code in ``X-Acting-For``; without it a browser session keeps the company chosen in the portal
and a token acts for the person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.conf import settings as django_settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Path, Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf
from oauth2_provider.oauth2_backends import get_oauthlib_core
from pydantic import BaseModel, Field, StringConstraints, model_validator

from tongban.core.authorization import permits
from tongban.core.errors import Forbidden, NotFound, TongbanError
from tongban.core.types import Actor
from tongban.identity import selectors, services
from tongban.identity.models import Company, Mandate, Person
from tongban.identity.services.mandates import company_target

API_SCOPE = "api"
ACTING_FOR_HEADER = "X-Acting-For"
REALM = 'Bearer realm="tongban"'
# django-oauth-toolkit's untranslated description of an expired token (its only distinction
# between "expired" and "unknown or revoked"); if it ever changes, the generic message shows.
_DOT_EXPIRED = "The access token has expired."


class Unauthenticated(TongbanError):
    """No valid credentials (401); ``challenge`` is the ``WWW-Authenticate`` header."""

    http_status = 401
    code = "unauthenticated"
    default_message = _(
        "Sign in first, or send an access token of Tongban's single sign-on with the "
        '"api" scope in the header Authorization: Bearer <token>.'
    )

    def __init__(self, message: Any = None, *, challenge: str = REALM) -> None:
        super().__init__(message)
        self.challenge = challenge


@dataclass(frozen=True)
class Caller:
    """Who calls: the actor, and the browser session making the call (None for a token)."""

    actor: Actor
    session_key: str | None


# --------------------------------------------------------------------------------------------
# Authentication


def _token_refusal(error: Mapping[str, Any]) -> Unauthenticated:
    if error.get("error") == "insufficient_scope":
        return Unauthenticated(
            _(
                "This access token was not issued for the API. Sign in again and ask for the "
                '"api" scope.'
            ),
            challenge=f'{REALM}, error="insufficient_scope", scope="{API_SCOPE}"',
        )
    with translation.override(None):
        expired = str(error.get("error_description", "")) == _DOT_EXPIRED
    message = (
        _("The access token has expired. Get a new one with the refresh token, or sign in again.")
        if expired
        else _(
            "The access token is not valid: it is unknown, or it was revoked (for example by "
            "logging out everywhere). Sign in again."
        )
    )
    return Unauthenticated(message, challenge=f'{REALM}, error="invalid_token"')


def _token_user(request: HttpRequest) -> Any:
    """The user of the bearer token, checked by django-oauth-toolkit (hashed token storage,
    expiry, revocation, scope). Only the header counts: the body is not handed over, so a form
    body is never parsed before the operation reads it, and a token in the address is refused
    (RFC 9700)."""
    if "access_token" in request.GET:
        raise Unauthenticated(
            _("Send the access token in the Authorization header, never in the address."),
            challenge=f'{REALM}, error="invalid_request"',
        )
    core = get_oauthlib_core()
    valid, oauth_request = core.server.verify_request(
        request.build_absolute_uri(request.path),
        http_method=request.method,
        body="",
        headers=core.extract_headers(request),
        scopes=[API_SCOPE],
    )
    if valid and oauth_request.user is not None and oauth_request.user.is_active:
        return oauth_request.user
    raise _token_refusal(getattr(oauth_request, "oauth2_error", None) or {})


def _actor(request: HttpRequest, user: Any, session: SessionBase | None) -> Actor:
    """The caller's actor; a company named in ``X-Acting-For`` only if the person may act
    for it today (checked again on every request, so a revoked mandate stops at once)."""
    code = request.headers.get(ACTING_FOR_HEADER, "").strip()
    if not code:
        return selectors.actor_for_user(user, session)
    company = services.company_by_credit_code(code) if len(code) <= 40 else None
    view: dict[str, Any] = dict(session.items()) if session is not None else {}
    view[selectors.ACTING_FOR_KEY] = company.pk if company else None
    actor = selectors.actor_for_user(user, view)
    if company is None or actor.acting_for_company_id != company.pk:
        raise Forbidden(_("You are not authorised to act for this company."))
    return actor


class BearerToken(HttpBearer):
    openapi_description = (
        "An access token of Tongban's OpenID Connect provider with the `api` scope "
        "(authorization code flow with PKCE S256). Send `X-Acting-For: <credit code>` to act "
        "for a company you represent or hold a mandate in force for."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        user = _token_user(request)
        return Caller(actor=_actor(request, user, None), session_key=None)


class PortalSession(SessionAuth):
    openapi_description = (
        "The portal's browser session (its own pages); writes need Django's CSRF token."
    )

    def _get_key(self, request: HttpRequest) -> str | None:
        user = request.user
        if not user.is_authenticated:
            raise Unauthenticated()
        if selectors.staff_needs_second_factor(user):
            raise Unauthenticated(_("Complete the second step of the log-in first."))
        if check_csrf(request) is not None:
            raise Forbidden(_("The page's security token is missing or expired. Reload the page."))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller:
        session = request.session
        return Caller(actor=_actor(request, request.user, session), session_key=session.session_key)


router = Router(tags=["identity"], auth=[BearerToken(), PortalSession()])


def _caller(request: HttpRequest) -> Caller:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def _person_id(actor: Actor) -> int:
    if actor.person_id is None:
        raise Forbidden(_("This needs a person's account on Tongban."))
    return actor.person_id


# --------------------------------------------------------------------------------------------
# Schemas

ACTING_FOR_PARAMETER = {
    "name": ACTING_FOR_HEADER,
    "in": "header",
    "required": False,
    "description": "The unified social credit code of the company to act for.",
    "schema": {"type": "string", "maxLength": 40},
}
ItemCode = Annotated[str, StringConstraints(max_length=40)]


class ProblemOut(Schema):
    location: str
    field: str
    reason: str


class ErrorOut(Schema):
    code: str
    message: str
    problems: list[ProblemOut] = []


def _responses(ok: int, model: Any, *errors: int) -> dict[int, Any]:
    return {ok: model, 401: ErrorOut, 403: ErrorOut} | {status: ErrorOut for status in errors}


def _doc() -> dict[str, Any]:
    return {"parameters": [dict(ACTING_FOR_PARAMETER)]}


class NextLevelOut(Schema):
    level: int
    how: str = Field(description="what reaching this level needs")


class ActingForOut(Schema):
    credit_code: str
    name: str
    capacity: Literal["representative", "agent"]


class MeOut(Schema):
    name: str
    id_number_masked: str
    sex: str
    birth_date: dt.date
    phone_masked: str
    email: str
    assurance_level: int = Field(description="1: phone verified; 2: registry; 3: in person")
    assurance_level_label: str
    next_level: NextLevelOut | None = Field(description="null at the highest level")
    acting_for: ActingForOut | None


class CompanyOut(Schema):
    credit_code: str
    name: str
    capacity: Literal["representative", "agent"]
    all_items: bool = Field(description="true when the caller may act for every item")
    item_codes: list[str] = Field(description="the base items an agent's mandate covers")
    valid_from: dt.date | None = Field(description="an agent's mandate; null for representatives")
    valid_until: dt.date | None


class ObjectIn(BaseModel):
    """A request body: a JSON object, said plainly when it is anything else. (Plain pydantic:
    ninja's ``Schema`` would read attributes off a list or a string as if it were an object.)"""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        if value is None or isinstance(value, list | str | int | float | bool):
            raise ValueError(str(_("The body must be a JSON object.")))
        return value


class CompanyIn(ObjectIn):
    credit_code: str = Field(min_length=1, max_length=40, description="统一社会信用代码")


class MandateOut(Schema):
    id: int
    agent_name: str
    agent_id_number_masked: str
    all_items: bool
    item_codes: list[str]
    valid_from: dt.date
    valid_until: dt.date
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    revoke_reason: str
    in_force: bool


class MandateIn(ObjectIn):
    agent_name: str = Field(min_length=1, max_length=100)
    agent_id_number: str = Field(min_length=1, max_length=40, description="公民身份号码")
    valid_from: dt.date
    valid_until: dt.date
    item_codes: list[ItemCode] | None = Field(
        None, max_length=200, description="base item codes; omitted or null: every item"
    )


class RevokeIn(ObjectIn):
    reason: str = Field(min_length=1, max_length=200, pattern=r"\S")


class SessionsEndedOut(Schema):
    ended_sessions: int = Field(description="browser sessions ended (tokens are revoked too)")


class CompanyPath(Schema):
    credit_code: str = Field(pattern=r"^[0-9A-Za-z]{18}$")


class MandatePath(Schema):
    id: int = Field(ge=1, le=2**31 - 1)


# --------------------------------------------------------------------------------------------
# Output


_NEXT_LEVEL = {
    1: _(
        "Level 2: have your name and ID number matched with the population registry "
        "(verify on your profile page), or visit any service window with your ID card."
    ),
    2: _("Level 3: have your identity confirmed in person at any service window."),
}


def _acting_for_out(actor: Actor) -> ActingForOut | None:
    if actor.acting_for_company_id is None or actor.person_id is None:
        return None
    for link in selectors.companies_for_person(person_id=actor.person_id):
        if link.company.pk == actor.acting_for_company_id:
            return ActingForOut(
                credit_code=link.company.credit_code,
                name=link.company.name,
                capacity="representative" if link.representative else "agent",
            )
    return None


def _me_out(person: Person, actor: Actor) -> MeOut:
    level = person.assurance_level
    how = _NEXT_LEVEL.get(level)
    return MeOut(
        name=person.name,
        id_number_masked=person.id_number_masked,
        sex=person.sex,
        birth_date=person.birth_date,
        phone_masked=person.phone_masked,
        email=person.email,
        assurance_level=level,
        assurance_level_label=str(person.get_assurance_level_display()),
        next_level=NextLevelOut(level=level + 1, how=str(how)) if how else None,
        acting_for=_acting_for_out(actor),
    )


def _company_out(link: selectors.CompanyLink) -> CompanyOut:
    mandate = link.mandate
    return CompanyOut(
        credit_code=link.company.credit_code,
        name=link.company.name,
        capacity="representative" if link.representative else "agent",
        all_items=mandate is None or mandate.all_items,
        item_codes=list(mandate.item_codes) if mandate else [],
        valid_from=mandate.valid_from if mandate else None,
        valid_until=mandate.valid_until if mandate else None,
    )


def _mandate_out(mandate: Mandate) -> MandateOut:
    return MandateOut(
        id=mandate.pk,
        agent_name=mandate.agent.name,
        agent_id_number_masked=mandate.agent.id_number_masked,
        all_items=mandate.all_items,
        item_codes=list(mandate.item_codes),
        valid_from=mandate.valid_from,
        valid_until=mandate.valid_until,
        created_at=mandate.created_at,
        revoked_at=mandate.revoked_at,
        revoke_reason=mandate.revoke_reason,
        in_force=mandate.in_force(),
    )


def _company_known_to(actor: Actor, credit_code: str, *, agents_too: bool) -> Company:
    """The company, or 404 for anyone who may not see its mandates (or, with ``agents_too``,
    is not its agent either): whether a company is on Tongban is not leaked."""
    company = services.company_by_credit_code(credit_code)
    if company is None:
        raise NotFound()
    if permits(actor, "company.mandate.view", company_target(company)):
        return company
    capacity = (
        services.acting_capacity(person_id=actor.person_id, company=company)
        if agents_too and actor.person_id is not None
        else None
    )
    if capacity is not None:
        return company
    raise NotFound()


# --------------------------------------------------------------------------------------------
# Operations


@router.get(
    "/me",
    response=_responses(200, MeOut),
    summary="My profile, assurance level and the company I act for",
    openapi_extra=_doc(),
)
def me(request: HttpRequest) -> MeOut:
    actor = _caller(request).actor
    person = selectors.person_for_user(user_id=actor.user_id or 0)
    if person is None:
        raise Forbidden(_("This needs a person's account on Tongban."))
    return _me_out(person, actor)


@router.post(
    "/me/verify",
    response=_responses(200, MeOut, 422),
    summary="Raise my assurance level to L2 through the population registry",
    openapi_extra=_doc(),
)
def me_verify(request: HttpRequest) -> MeOut:
    actor = _caller(request).actor
    person = services.person_verify_with_registry(actor=actor, person_id=_person_id(actor))
    return _me_out(person, actor)


@router.get(
    "/me/companies",
    response=_responses(200, list[CompanyOut]),
    summary="The companies I may act for, as representative or agent",
    openapi_extra=_doc(),
)
def my_companies(request: HttpRequest) -> list[CompanyOut]:
    person_id = _person_id(_caller(request).actor)
    return [_company_out(link) for link in selectors.companies_for_person(person_id=person_id)]


@router.post(
    "/companies",
    response=_responses(200, CompanyOut, 422),
    summary="Link a company I am the legal representative of (the company registry decides)",
    openapi_extra=_doc(),
)
def company_link(request: HttpRequest, body: CompanyIn) -> CompanyOut:
    actor = _caller(request).actor
    company = services.company_register(actor=actor, credit_code=body.credit_code)
    return _company_out(selectors.CompanyLink(company=company, representative=True, mandate=None))


@router.get(
    "/companies/{credit_code}/mandates",
    response=_responses(200, list[MandateOut], 404, 422),
    summary="The company's mandates (its legal representative only)",
    openapi_extra=_doc(),
)
def company_mandates(request: HttpRequest, path: Path[CompanyPath]) -> list[MandateOut]:
    company = _company_known_to(_caller(request).actor, path.credit_code, agents_too=False)
    return [_mandate_out(m) for m in selectors.mandates_for_company(company_id=company.pk)]


@router.post(
    "/companies/{credit_code}/mandates",
    response=_responses(201, MandateOut, 404, 422),
    summary="Authorise a registered person as the company's agent (legal representative, L2)",
    openapi_extra=_doc(),
)
def mandate_grant(request: HttpRequest, path: Path[CompanyPath], body: MandateIn) -> Status:
    actor = _caller(request).actor
    company = _company_known_to(actor, path.credit_code, agents_too=True)
    mandate = services.mandate_grant(
        actor=actor,
        company_id=company.pk,
        agent_id_number=body.agent_id_number,
        agent_name=body.agent_name,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        item_codes=body.item_codes,
    )
    return Status(201, _mandate_out(mandate))


@router.post(
    "/mandates/{id}/revoke",
    response=_responses(200, MandateOut, 404, 422),
    summary="Revoke a mandate at once (the company's legal representative)",
    openapi_extra=_doc(),
)
def mandate_revoke(request: HttpRequest, path: Path[MandatePath], body: RevokeIn) -> MandateOut:
    actor = _caller(request).actor
    mandate = services.mandate_revoke(actor=actor, mandate_id=path.id, reason=body.reason)
    return _mandate_out(mandate)


@router.post(
    "/me/sessions/end-all",
    response=_responses(200, SessionsEndedOut),
    summary="Log out everywhere: end my other sessions and revoke every single sign-on token",
    description=(
        "Ends every browser session of the account except the one making this call, and "
        "revokes every access and refresh token, including the one making this call."
    ),
    openapi_extra=_doc(),
)
def sessions_end_all(request: HttpRequest) -> SessionsEndedOut:
    caller = _caller(request)
    ended = services.sessions_end(
        actor=caller.actor, user_id=caller.actor.user_id or 0, keep_key=caller.session_key
    )
    return SessionsEndedOut(ended_sessions=ended)


# --------------------------------------------------------------------------------------------
# Sessions, reveal, acting for, e-mail, registration


class SessionOut(Schema):
    id: int
    created_at: dt.datetime
    user_agent: str
    ip_address: str | None
    method: str
    current: bool


class IdNumberOut(Schema):
    id_number: str = Field(description="the full number; every reveal is recorded")


class ActingForIn(ObjectIn):
    credit_code: str | None = Field(
        None, max_length=40, description="the company to act for; null: act for myself"
    )


class EmailCodeIn(ObjectIn):
    email: str = Field(min_length=3, max_length=254)


class EmailIn(ObjectIn):
    email: str = Field(min_length=3, max_length=254)
    code: str = Field(min_length=1, max_length=10)


class PhoneIn(ObjectIn):
    phone: str = Field(min_length=5, max_length=30)


class RegisterIn(ObjectIn):
    name: str = Field(min_length=1, max_length=100)
    id_number: str = Field(min_length=1, max_length=40, description="公民身份号码")
    phone: str = Field(min_length=5, max_length=30)
    password: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=10, description="the code sent by SMS")
    email: str = Field("", max_length=254)


class SentOut(Schema):
    sent: bool = Field(description="a code was sent if the address can receive one")


class RegisteredOut(Schema):
    name: str
    id_number_masked: str
    assurance_level: int


@router.get(
    "/me/sessions",
    response=_responses(200, list[SessionOut]),
    summary="Where I am logged in",
    openapi_extra=_doc(),
)
def my_sessions(request: HttpRequest) -> list[SessionOut]:
    caller = _caller(request)
    return [
        SessionOut(
            id=s.pk,
            created_at=s.created_at,
            user_agent=s.user_agent,
            ip_address=s.ip_address,
            method=s.method,
            current=s.session_key == caller.session_key,
        )
        for s in selectors.sessions_for_user(user_id=caller.actor.user_id or 0)
    ]


@router.post(
    "/me/sessions/{id}/end",
    response=_responses(200, SessionsEndedOut, 404),
    summary="Log out one of my sessions",
    openapi_extra=_doc(),
)
def session_end(request: HttpRequest, path: Path[MandatePath]) -> SessionsEndedOut:
    caller = _caller(request)
    ended = services.sessions_end(
        actor=caller.actor,
        user_id=caller.actor.user_id or 0,
        session_id=path.id,
        keep_key=caller.session_key,
    )
    if not ended:
        raise NotFound()
    return SessionsEndedOut(ended_sessions=ended)


@router.post(
    "/me/id-number",
    response=_responses(200, IdNumberOut),
    summary="Show my full citizen ID number (recorded)",
    openapi_extra=_doc(),
)
def my_id_number(request: HttpRequest) -> IdNumberOut:
    actor = _caller(request).actor
    number = services.person_reveal_id_number(
        actor=actor, person_id=_person_id(actor), reason="api"
    )
    return IdNumberOut(id_number=number)


@router.put(
    "/me/acting-for",
    response=_responses(200, MeOut, 403),
    summary="Act for a company I represent or hold a mandate for, or for myself",
    description="Kept as my choice for single sign-on; a browser session follows it too.",
    openapi_extra=_doc(),
)
def acting_for(request: HttpRequest, body: ActingForIn) -> MeOut:
    caller = _caller(request)
    actor = caller.actor
    company = None
    if body.credit_code:
        company = services.company_by_credit_code(body.credit_code)
        if company is None:
            raise Forbidden(_("You are not authorised to act for this company."))
    services.acting_for_set(actor=actor, company_id=company.pk if company else None)
    if caller.session_key is not None:
        if company is None:
            request.session.pop(selectors.ACTING_FOR_KEY, None)
        else:
            request.session[selectors.ACTING_FOR_KEY] = company.pk
    user = request.user if caller.session_key is not None else _token_user(request)
    session = {selectors.ACTING_FOR_KEY: company.pk} if company else {}
    refreshed = selectors.actor_for_user(user, session)
    person = selectors.person_for_user(user_id=actor.user_id or 0)
    return _me_out(person, refreshed)


@router.post(
    "/me/email/code",
    response=_responses(200, SentOut, 422, 429),
    summary="Send a code to an e-mail address I want to use",
    openapi_extra=_doc(),
)
def email_code(request: HttpRequest, body: EmailCodeIn) -> SentOut:
    from tongban.identity.normalise import clean_email

    _person_id(_caller(request).actor)
    address, problem = clean_email(body.email)
    if problem or not address:
        from tongban.core.errors import InvalidInput

        raise InvalidInput(problems=[problem] if problem else [])
    services.code_send(purpose="verify", channel="email", destination=address)
    return SentOut(sent=True)


@router.post(
    "/me/email",
    response=_responses(200, MeOut, 422),
    summary="Set my e-mail address with the code sent to it",
    openapi_extra=_doc(),
)
def email_set(request: HttpRequest, body: EmailIn) -> MeOut:
    actor = _caller(request).actor
    person = services.person_email_set(
        actor=actor, person_id=_person_id(actor), email=body.email, code=body.code
    )
    return _me_out(person, actor)


@router.post(
    "/register/code",
    auth=None,
    response={200: SentOut, 422: ErrorOut, 429: ErrorOut},
    summary="Send a registration code to a mobile number (no log-in needed)",
)
def register_code(request: HttpRequest, body: PhoneIn) -> SentOut:
    from django_ratelimit.core import is_ratelimited

    from tongban.core.errors import InvalidInput
    from tongban.identity.normalise import clean_phone
    from tongban.identity.services.codes import TooManyRequests

    if django_settings.RATELIMIT_ENABLE and is_ratelimited(
        request,
        group="code",
        key=lambda _group, req: req.META.get("REMOTE_ADDR", ""),
        rate=django_settings.CODE_RATE,
        increment=True,
    ):
        raise TooManyRequests()
    phone, problem = clean_phone(body.phone)
    if problem:
        raise InvalidInput(problems=[problem])
    services.code_send(purpose="register", channel="sms", destination=phone)
    return SentOut(sent=True)


@router.post(
    "/register",
    auth=None,
    response={201: RegisteredOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Create a person's account (level L1) with the code sent to the mobile",
)
def register(request: HttpRequest, body: RegisterIn) -> Status:
    person = services.person_register(
        id_number=body.id_number,
        name=body.name,
        phone=body.phone,
        password=body.password,
        code=body.code,
        email=body.email,
    )
    return Status(
        201,
        RegisteredOut(
            name=person.name,
            id_number_masked=person.id_number_masked,
            assurance_level=person.assurance_level,
        ),
    )


# --------------------------------------------------------------------------------------------
# Staff administration (platform-wide administrators)


class RoleIO(BaseModel):
    role: str = Field(max_length=30)
    department: int | None = Field(None, ge=1, le=2**31 - 1, description="department id; null: any")
    region: str | None = Field(None, max_length=12, description="region code; null: anywhere")


class StaffOut(Schema):
    id: int
    username: str
    full_name: str
    is_active: bool
    roles: list[RoleIO]


class StaffIn(ObjectIn):
    username: str = Field(min_length=1, max_length=150)
    full_name: str = Field("", max_length=150)
    password: str = Field(min_length=1, max_length=200)
    roles: list[RoleIO] = Field(max_length=50)


class RolesIn(ObjectIn):
    roles: list[RoleIO] = Field(max_length=50)


def _staff_out(user: Any) -> StaffOut:
    from tongban.identity.models import StaffRole

    return StaffOut(
        id=user.pk,
        username=user.username,
        full_name=user.first_name,
        is_active=user.is_active,
        roles=[
            RoleIO(role=r.role, department=r.department_id, region=r.region_id)
            for r in StaffRole.objects.filter(user=user).order_by("role")
        ],
    )


def _roles(items: list[RoleIO]) -> list[tuple[str, int | None, str | None]]:
    return [(r.role, r.department, r.region) for r in items]


@router.get(
    "/staff",
    response=_responses(200, list[StaffOut], 403),
    summary="Staff accounts and their roles (platform-wide administrators)",
    openapi_extra=_doc(),
)
def staff_list(request: HttpRequest) -> list[StaffOut]:
    from django.contrib.auth import get_user_model

    from tongban.core.authorization import Target, authorize

    actor = _caller(request).actor
    authorize(actor, "staff.manage", Target(kind="staff"))
    users = get_user_model().objects.filter(is_staff=True, person__isnull=True).order_by("username")
    return [_staff_out(u) for u in users[:500]]


@router.post(
    "/staff",
    response=_responses(201, StaffOut, 403, 422),
    summary="Create a staff account with roles (it enrols TOTP at its first log-in)",
    openapi_extra=_doc(),
)
def staff_create(request: HttpRequest, body: StaffIn) -> Status:
    from django.contrib.auth import get_user_model

    user_id = services.staff_user_create(
        actor=_caller(request).actor,
        username=body.username,
        password=body.password,
        roles=_roles(body.roles),
        full_name=body.full_name,
    )
    return Status(201, _staff_out(get_user_model().objects.get(pk=user_id)))


@router.put(
    "/staff/{id}/roles",
    response=_responses(200, StaffOut, 403, 404, 422),
    summary="Replace a staff member's roles",
    openapi_extra=_doc(),
)
def staff_roles(request: HttpRequest, path: Path[MandatePath], body: RolesIn) -> StaffOut:
    from django.contrib.auth import get_user_model

    services.staff_roles_set(
        actor=_caller(request).actor, user_id=path.id, roles=_roles(body.roles)
    )
    return _staff_out(get_user_model().objects.get(pk=path.id))


@router.post(
    "/staff/{id}/deactivate",
    response=_responses(200, StaffOut, 403, 404),
    summary="Switch a staff account off at once (its sessions and tokens end)",
    openapi_extra=_doc(),
)
def staff_deactivate(request: HttpRequest, path: Path[MandatePath]) -> StaffOut:
    from django.contrib.auth import get_user_model

    services.staff_deactivate(actor=_caller(request).actor, user_id=path.id)
    return _staff_out(get_user_model().objects.get(pk=path.id))
