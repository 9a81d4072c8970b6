"""The shape every "fill in a form, then a service acts" page shares (returns, complaints,
reviews…): GET shows the form; a valid POST calls the service; a ``DomainError`` becomes a form
error and the page comes back with a 400; success redirects with a message."""

from django.contrib import messages
from django.shortcuts import redirect, render

from microstore.errors import DomainError


def form_step(
    request,
    *,
    form_class,
    template: str,
    apply,
    done: str,
    back,
    context: dict | None = None,
    form_kwargs: dict | None = None,
):
    """``apply(form)`` runs the service; ``back`` is where success goes, or a function of what
    ``apply`` returned."""
    form_kwargs = form_kwargs or {}
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                result = apply(form)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, done)
                return redirect(back(result) if callable(back) else back)
    else:
        form = form_class(**form_kwargs)
    page = {"form": form, **(context or {})}
    return render(request, template, page, status=400 if form.errors else 200)
