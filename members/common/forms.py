"""The one way a view shows a service's refusal.

A service refuses with ``ValidationError`` and writes nothing; the view shows why, either on
the form it re-renders or, for a bare POST that redirects, as flash messages::

    with service_errors(form) as call:
        log = services.contact_log_create(by=request.user, **form.cleaned_data)
    if call.ok:
        return redirect(log)
    return render(...)  # the form now carries the service's errors

    with service_errors(request=request) as call:
        services.activity_sign_up(activity=activity, member=member)
    if call.ok:
        messages.success(request, ...)
    return redirect(activity)

Errors keyed by a field of the form go on that field; the rest on the form itself. Any other
exception (``PermissionDenied`` included, a 403) passes through.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


@dataclass
class ServiceCall:
    """What ``service_errors`` yields: ``error`` is the refusal, if there was one."""

    error: ValidationError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def service_errors(
    form: forms.BaseForm | None = None, *, request: HttpRequest | None = None
) -> Iterator[ServiceCall]:
    """Catch a service's ``ValidationError`` and show it on ``form`` or, without a form, as
    error messages of ``request``; ``call.ok`` tells the view which way to go."""
    if (form is None) == (request is None):
        raise TypeError("service_errors() takes a form or a request, not both")
    call = ServiceCall()
    try:
        yield call
    except ValidationError as error:
        call.error = error
        if form is not None:
            add_service_error(form, error)
        else:
            for text in error.messages:
                messages.error(request, text)


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's errors on the form's fields, or on the form when not one of its fields."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
