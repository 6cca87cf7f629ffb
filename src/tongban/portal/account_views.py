"""Account pages: register, log in (with TOTP for staff), profile, companies, mandates,
sessions, password reset. Each view parses, calls one identity service, and renders."""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import is_ratelimited

from tongban.catalog import selectors as catalog_selectors
from tongban.core.errors import InvalidInput, TongbanError
from tongban.identity import services as identity
from tongban.identity.backends import user_for_identifier
from tongban.identity.models import AssuranceLevel, Company
from tongban.identity.normalise import clean_email, clean_phone
from tongban.identity.selectors import (
    ACTING_FOR_KEY,
    companies_for_person,
    mandates_for_company,
    person_for_user,
    request_actor,
    sessions_for_user,
    staff_needs_second_factor,
)
from tongban.portal.oidc_views import allow_sso_redirect

# ---------------------------------------------------------------------------------------------
# Helpers


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _throttled(request: HttpRequest, group: str, rate: str) -> bool:
    return (
        is_ratelimited(
            request,
            group=group,
            key=lambda _group, req: req.META.get("REMOTE_ADDR", ""),
            rate=rate,
            method=is_ratelimited.ALL,
            increment=True,
        )
        if settings.RATELIMIT_ENABLE
        else False
    )


def _apply_problems(form: forms.Form, error: TongbanError) -> None:
    placed = False
    for problem in error.problems:
        if problem.field in form.fields:
            form.add_error(problem.field, problem.reason)
            placed = True
        else:
            form.add_error(None, problem.reason)
            placed = True
    if not placed or not error.problems:
        form.add_error(None, str(error.message))


# ---------------------------------------------------------------------------------------------
# Log-in and log-out


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("ID number, mobile number, credit code or staff user name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def login_page(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = _safe_next(request, reverse("portal:account"))
    if request.method == "POST":
        if _throttled(request, "login", settings.LOGIN_RATE):
            form.add_error(None, _("Too many attempts from your network. Please wait a minute."))
        elif form.is_valid():
            user = authenticate(
                request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
            if user is None:
                if getattr(request, "axes_locked_out", False):
                    return render(request, "portal/account/locked_out.html", status=429)
                form.add_error(None, _("The identifier or the password is wrong."))
            else:
                company = getattr(request, "tongban_login_company", None)
                login(request, user)
                if company is not None:
                    request.session[ACTING_FOR_KEY] = company.pk
                identity.session_record(
                    user_id=user.pk,
                    session_key=request.session.session_key or "",
                    ip_address=_client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    method="password",
                )
                if staff_needs_second_factor(user):
                    query = urlencode({"next": next_url})
                    return redirect(f"{reverse('portal:second_factor')}?{query}")
                return HttpResponseRedirect(next_url)
    response = render(request, "portal/account/login.html", {"form": form, "next": next_url})
    return allow_sso_redirect(response, next_url)


class CodeLoginForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    code = forms.CharField(
        label=_("Code sent to your mobile"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def login_code_page(request: HttpRequest) -> HttpResponse:
    """Log in with a one-time code sent by SMS to the account's verified mobile number."""
    form = CodeLoginForm(request.POST or None)
    next_url = _safe_next(request, reverse("portal:account"))
    code_sent = False
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if _throttled(request, "login", settings.LOGIN_RATE):
            form.add_error(None, _("Too many attempts from your network. Please wait a minute."))
        elif request.POST.get("action") == "send_code":
            if not _throttled(request, "code", settings.CODE_RATE):
                try:
                    identity.login_code_send(phone=phone)
                    code_sent = True
                except TongbanError as exc:
                    _apply_problems(form, exc)
            else:
                form.add_error(
                    None, _("Too many codes were requested from your network. Try later.")
                )
        else:
            try:
                user = identity.login_by_code(phone=phone, code=form.cleaned_data["code"])
            except TongbanError as exc:
                _apply_problems(form, exc)
                code_sent = True
            else:
                login(request, user, backend="tongban.identity.backends.IdentifierBackend")
                identity.session_record(
                    user_id=user.pk,
                    session_key=request.session.session_key or "",
                    ip_address=_client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    method="sms_code",
                )
                return HttpResponseRedirect(next_url)
    response = render(
        request,
        "portal/account/login_code.html",
        {"form": form, "next": next_url, "code_sent": code_sent},
    )
    return allow_sso_redirect(response, next_url)


def logout_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.session.session_key:
            identity.session_ended(session_key=request.session.session_key)
        logout(request)
        messages.info(request, _("You have logged out."))
        return redirect("portal:home")
    return render(request, "portal/account/logout.html")


# ---------------------------------------------------------------------------------------------
# Second factor for staff (TOTP)


class TotpForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter the six digits shown by your authenticator app.")},
    )


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _safe_next(request, reverse("admin:index"))
    if not staff_needs_second_factor(user):
        return HttpResponseRedirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or (
            TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        )
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _throttled(request, "totp", settings.LOGIN_RATE):
            form.add_error(None, _("Too many attempts from your network. Please wait a minute."))
        elif device.verify_is_allowed()[0] and device.verify_token(
            form.cleaned_data["token"].strip()
        ):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return HttpResponseRedirect(next_url)
        else:
            form.add_error("token", _("The code is wrong. Codes change every 30 seconds."))
    context: dict[str, Any] = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        secret = base64.b32encode(device.bin_key).decode()
        context.update(qr=_qr_svg(device.config_url), secret=secret)
    response = render(request, "portal/account/second_factor.html", context)
    return allow_sso_redirect(response, next_url)


# ---------------------------------------------------------------------------------------------
# Registration and password reset (one-time codes by SMS)


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    id_number = forms.CharField(
        label=_("Citizen ID number"),
        max_length=40,
        help_text=_("18 characters; the last may be X."),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(label=_("E-mail (optional)"), max_length=300, required=False)
    password = forms.CharField(
        label=_("Password"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )
    code = forms.CharField(
        label=_("Code sent to your mobile"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _send_code(request: HttpRequest, form: forms.Form, purpose: str, phone: str) -> bool:
    if _throttled(request, "code", settings.CODE_RATE):
        form.add_error(None, _("Too many codes were requested from your network. Try later."))
        return False
    try:
        identity.code_send(purpose=purpose, channel="sms", destination=phone)
    except TongbanError as exc:
        _apply_problems(form, exc)
        return False
    return True


def register_page(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    code_sent = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "send_code":
            phone, problem = clean_phone(data["phone"])
            if problem:
                form.add_error("phone", problem.reason)
            else:
                code_sent = _send_code(request, form, "register", phone)
        else:
            try:
                person = identity.person_register(
                    id_number=data["id_number"],
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    password=data["password"],
                    code=data["code"],
                )
            except TongbanError as exc:
                _apply_problems(form, exc)
                code_sent = True
            else:
                login(request, person.user, backend="tongban.identity.backends.IdentifierBackend")
                identity.session_record(
                    user_id=person.user_id,
                    session_key=request.session.session_key or "",
                    ip_address=_client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    method="registration",
                )
                messages.success(request, _("Your account is ready (assurance level L1)."))
                return redirect("portal:account")
    return render(request, "portal/account/register.html", {"form": form, "code_sent": code_sent})


class ResetForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number of your account"), max_length=30)
    code = forms.CharField(label=_("Code sent to your mobile"), max_length=10, required=False)
    password = forms.CharField(
        label=_("New password"),
        max_length=200,
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def password_reset_page(request: HttpRequest) -> HttpResponse:
    form = ResetForm(request.POST or None)
    code_sent = False
    if request.method == "POST" and form.is_valid():
        phone, problem = clean_phone(form.cleaned_data["phone"])
        if problem:
            form.add_error("phone", problem.reason)
        elif request.POST.get("action") == "send_code":
            # The same answer whether or not the number has an account: no enumeration.
            user, _company = user_for_identifier(phone)
            person = person_for_user(user_id=user.pk) if user is not None else None
            code_sent = True
            if person is not None and person.phone_verified_at is not None:
                code_sent = _send_code(request, form, "reset", phone)
        else:
            try:
                identity.password_reset(
                    phone=phone,
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["password"],
                )
            except TongbanError as exc:
                _apply_problems(form, exc)
                code_sent = True
            else:
                messages.success(request, _("Your password is changed. Please log in."))
                return redirect("portal:login")
    return render(
        request, "portal/account/password_reset.html", {"form": form, "code_sent": code_sent}
    )


# ---------------------------------------------------------------------------------------------
# My account


@login_required
def account_page(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    person = person_for_user(user_id=request.user.pk)
    revealed = None
    if request.method == "POST" and person is not None:
        action = request.POST.get("action")
        try:
            if action == "verify":
                identity.person_verify_with_registry(actor=actor, person_id=person.pk)
                messages.success(request, _("Your identity matches the registry: level L2."))
            elif action == "reveal":
                revealed = identity.person_reveal_id_number(
                    actor=actor, person_id=person.pk, reason="self"
                )
            elif action == "email_code":
                email_form = EmailForm(request.POST)
                if email_form.is_valid() and not _throttled(request, "code", settings.CODE_RATE):
                    address, problem = clean_email(email_form.cleaned_data["email"])
                    if problem:
                        messages.error(request, problem.reason)
                    else:
                        identity.code_send(purpose="verify", channel="email", destination=address)
                        sent = _("A code is on its way to %(email)s.") % {"email": address}
                        messages.info(request, sent)
                        request.session["tongban.email_pending"] = address
            elif action == "phone_code":
                new_phone, problem = clean_phone(request.POST.get("phone", ""))
                if problem:
                    messages.error(request, problem.reason)
                elif not _throttled(request, "code", settings.CODE_RATE):
                    identity.code_send(purpose="verify", channel="sms", destination=new_phone)
                    request.session["tongban.phone_pending"] = new_phone
                    messages.info(request, _("A code is on its way to the new number."))
            elif action == "phone_verify":
                identity.person_phone_change(
                    actor=actor,
                    person_id=person.pk,
                    phone=request.session.get("tongban.phone_pending", ""),
                    code=request.POST.get("code", ""),
                )
                request.session.pop("tongban.phone_pending", None)
                messages.success(request, _("Your mobile number is changed."))
            elif action == "email_verify":
                address = request.session.get("tongban.email_pending", "")
                identity.person_email_set(
                    actor=actor,
                    person_id=person.pk,
                    email=address,
                    code=request.POST.get("code", ""),
                )
                request.session.pop("tongban.email_pending", None)
                messages.success(request, _("Your e-mail address is verified."))
        except TongbanError as exc:
            for reason in [p.reason for p in exc.problems] or [str(exc.message)]:
                messages.error(request, reason)
        if action != "reveal":
            return redirect("portal:account")
        person.refresh_from_db()
    context = {
        "person": person,
        "revealed": revealed,
        "levels": AssuranceLevel,
        "sessions": sessions_for_user(user_id=request.user.pk),
        "current_session": request.session.session_key,
        "links": companies_for_person(person_id=person.pk) if person else [],
        "actor": actor,
        "email_pending": request.session.get("tongban.email_pending"),
        "phone_pending": bool(request.session.get("tongban.phone_pending")),
    }
    return render(request, "portal/account/account.html", context)


@login_required
@require_POST
def sessions_end_page(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    session_id = request.POST.get("session")
    identity.sessions_end(
        actor=actor,
        user_id=request.user.pk,
        session_id=int(session_id) if session_id and session_id.isdigit() else None,
        keep_key=request.session.session_key,
    )
    messages.success(request, _("The other sessions are logged out."))
    return redirect("portal:account")


@login_required
@require_POST
def acting_for_page(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    value = request.POST.get("company", "")
    company_id = int(value) if value.isdigit() else None
    company = identity.acting_for_set(actor=actor, company_id=company_id)
    if company is None:
        request.session.pop(ACTING_FOR_KEY, None)
        messages.info(request, _("You are acting for yourself."))
    else:
        request.session[ACTING_FOR_KEY] = company.pk
        messages.info(request, _("You are acting for %(name)s.") % {"name": company.name})
    return HttpResponseRedirect(_safe_next(request, reverse("portal:account")))


# ---------------------------------------------------------------------------------------------
# Companies and mandates


class EmailForm(forms.Form):
    email = forms.CharField(max_length=300)


class CompanyForm(forms.Form):
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=40)


@login_required
def companies_page(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    person = person_for_user(user_id=request.user.pk)
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = identity.company_register(
                actor=actor, credit_code=form.cleaned_data["credit_code"]
            )
        except TongbanError as exc:
            _apply_problems(form, exc)
        else:
            messages.success(
                request, _("%(name)s is linked to your account.") % {"name": company.name}
            )
            return redirect("portal:companies")
    links = companies_for_person(person_id=person.pk) if person else []
    return render(
        request, "portal/account/companies.html", {"form": form, "links": links, "person": person}
    )


class MandateForm(forms.Form):
    agent_name = forms.CharField(label=_("Agent's name"), max_length=100)
    agent_id_number = forms.CharField(label=_("Agent's citizen ID number"), max_length=40)
    valid_from = forms.DateField(
        label=_("From"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Until"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    scope = forms.ChoiceField(
        label=_("Items"),
        choices=[("all", _("All items")), ("some", _("Only these items"))],
        widget=forms.RadioSelect,
        initial="all",
    )
    item_codes = forms.CharField(
        label=_("Base item codes, one per line or separated by spaces"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
def mandates_page(request: HttpRequest, company_id: int) -> HttpResponse:
    actor = request_actor(request)
    company = Company.objects.filter(pk=company_id).first()
    # Only the representative manages agents; others are told nothing about the company.
    if company is None or company.representative.user_id != request.user.pk:
        return render(request, "404.html", status=404)
    today = timezone.localdate()
    form = MandateForm(
        request.POST or None,
        initial={"valid_from": today, "valid_until": today + dt.timedelta(days=365)},
    )
    if request.method == "POST" and request.POST.get("action") == "revoke":
        mandate_id = request.POST.get("mandate", "")
        try:
            identity.mandate_revoke(
                actor=actor,
                mandate_id=int(mandate_id) if mandate_id.isdigit() else 0,
                reason=request.POST.get("reason", ""),
            )
        except TongbanError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The mandate is revoked; it stopped working at once."))
        return redirect("portal:mandates", company_id=company.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        codes = data["item_codes"].upper().split() if data["scope"] == "some" else None
        unknown = catalog_selectors.base_codes_unknown(codes[:200]) if codes else []
        if unknown:
            form.add_error(
                "item_codes",
                _("These are not item codes of the catalog: %(codes)s")
                % {"codes": " ".join(unknown[:10])},
            )
            return render(
                request,
                "portal/account/mandates.html",
                {
                    "company": company,
                    "form": form,
                    "mandates": mandates_for_company(company_id=company.pk),
                },
            )
        try:
            identity.mandate_grant(
                actor=actor,
                company_id=company.pk,
                agent_id_number=data["agent_id_number"],
                agent_name=data["agent_name"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                item_codes=codes if codes is not None else None,
            )
        except InvalidInput as exc:
            _apply_problems(form, exc)
        except TongbanError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The agent is authorised."))
            return redirect("portal:mandates", company_id=company.pk)
    return render(
        request,
        "portal/account/mandates.html",
        {"company": company, "form": form, "mandates": mandates_for_company(company_id=company.pk)},
    )
