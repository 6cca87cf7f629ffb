"""The counter (综合窗口): a clerk identifies a walk-in by ID number, confirms them in person
(L3), registers them when they have no account, and serves them — recorded as such."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tongban.core.errors import Forbidden, NotFound, TongbanError
from tongban.identity import services as identity
from tongban.identity.models import Person
from tongban.identity.selectors import SERVING_KEY
from tongban.workbench.admin import actor_of, workbench_site


class LookupForm(forms.Form):
    id_number = forms.CharField(label=_("Citizen ID number (from the ID card)"), max_length=40)


class WalkInForm(forms.Form):
    id_number = forms.CharField(widget=forms.HiddenInput, max_length=40)
    name = forms.CharField(label=_("Name (as on the ID card)"), max_length=100)
    phone = forms.CharField(label=_("Mobile number (optional)"), max_length=30, required=False)


FOUND_KEY = "tongban.counter_found"


def _remember(request: HttpRequest, person_id: int) -> None:
    """People the clerk identified at this counter (by ID number, or registered here): only
    they can be acted on by id, so ids cannot be walked through in the address."""
    found = [p for p in request.session.get(FOUND_KEY, []) if p != person_id][-19:]
    request.session[FOUND_KEY] = [*found, person_id]


def _identified(request: HttpRequest, person_id: int) -> bool:
    return person_id in request.session.get(FOUND_KEY, []) or person_id == request.session.get(
        SERVING_KEY
    )


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**workbench_site.each_context(request), "title": _("Counter"), **extra}


def _clerk(request: HttpRequest) -> Any:
    actor = actor_of(request)
    if not actor.has_role("window_clerk"):
        raise Forbidden()
    return actor


@staff_member_required
def counter(request: HttpRequest) -> HttpResponse:
    """Look a person up by ID number (POST, so the number never lands in a URL or a log)."""
    actor = _clerk(request)
    form = LookupForm(request.POST or None)
    person, walk_in, revealed = None, None, None
    if request.method == "POST" and form.is_valid():
        try:
            person = identity.person_find_by_id_number(
                actor=actor, id_number=form.cleaned_data["id_number"]
            )
        except TongbanError as exc:
            for problem in exc.problems:
                form.add_error("id_number", problem.reason)
        else:
            if person is None:
                walk_in = WalkInForm(initial={"id_number": form.cleaned_data["id_number"]})
            else:
                _remember(request, person.pk)
            form = LookupForm()  # the number is not echoed back into the page
    serving = None
    if actor.serving_person_id:
        serving = Person.objects.filter(pk=actor.serving_person_id).first()
    return TemplateResponse(
        request,
        "workbench/counter.html",
        _context(
            request, form=form, person=person, walk_in=walk_in, revealed=revealed, serving=serving
        ),
    )


@staff_member_required
@require_POST
def counter_person(request: HttpRequest, person_id: int) -> HttpResponse:
    """Act on a person found at the counter: reveal, confirm in person, serve, stop serving."""
    actor = _clerk(request)
    action = request.POST.get("action")
    if not _identified(request, person_id):
        raise NotFound()
    person = Person.objects.filter(pk=person_id).first()
    revealed = None
    try:
        if action == "reveal":
            revealed = identity.person_reveal_id_number(
                actor=actor, person_id=person_id, reason="counter"
            )
        elif action == "confirm":
            person = identity.person_confirm_in_person(actor=actor, person_id=person_id)
            messages.success(request, _("Identity confirmed in person: level L3."))
        elif action == "serve":
            person = identity.counter_serve_start(actor=actor, person_id=person_id)
            request.session[SERVING_KEY] = person.pk
            messages.success(request, _("You are serving %(name)s.") % {"name": person.name})
        elif action == "send_code":
            identity.person_phone_code_send(actor=actor, person_id=person_id)
            messages.info(request, _("A code was sent to the person's mobile."))
        elif action == "verify_phone":
            person = identity.person_phone_verify(
                actor=actor, person_id=person_id, code=request.POST.get("code", "")
            )
            messages.success(request, _("The mobile number is verified."))
        elif action == "stop":
            identity.counter_serve_end(actor=actor)
            request.session.pop(SERVING_KEY, None)
            return redirect("workbench:counter")
    except TongbanError as exc:
        for reason in [p.reason for p in exc.problems] or [str(exc.message)]:
            messages.error(request, reason)
    return TemplateResponse(
        request,
        "workbench/counter.html",
        _context(
            request,
            form=LookupForm(),
            person=person,
            revealed=revealed,
            serving=Person.objects.filter(pk=request.session.get(SERVING_KEY) or 0).first(),
        ),
    )


@staff_member_required
@require_POST
def counter_register(request: HttpRequest) -> HttpResponse:
    """Register a walk-in without an account: their ID card is in front of the clerk (L3)."""
    actor = _clerk(request)
    form = WalkInForm(request.POST)
    person = None
    if form.is_valid():
        try:
            person = identity.person_create_at_counter(
                actor=actor,
                id_number=form.cleaned_data["id_number"],
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
            )
        except TongbanError as exc:
            for problem in exc.problems or []:
                target = problem.field if problem.field in form.fields else None
                form.add_error(target, problem.reason)
            if not exc.problems:
                form.add_error(None, str(exc.message))
        else:
            _remember(request, person.pk)
            messages.success(
                request,
                _("%(name)s is registered at level L3. They set a password with their mobile.")
                % {"name": person.name},
            )
    return TemplateResponse(
        request,
        "workbench/counter.html",
        _context(request, form=LookupForm(), person=person, walk_in=None if person else form),
    )
