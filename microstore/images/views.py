from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from microstore.images.access import get_image_for_user
from microstore.images.models import RENDITION_CONTENT_TYPES
from microstore.images.services import RENDITION_NAME
from microstore.images.templatetags.pictures import DEFAULT_SIZES, picture_context

CONTENT_TYPES = {"webp": RENDITION_CONTENT_TYPES["webp"], "jpg": RENDITION_CONTENT_TYPES["jpeg"]}
A_YEAR = 60 * 60 * 24 * 365


@require_safe
def media(request, name: str):
    """Serve one rendition from the default storage (``/media/img/<uuid>/<w>w-<hash>.webp``).

    Only names our pipeline makes are served, so there is no path traversal and nothing else in
    the storage (let alone the private originals, which live in another storage) is reachable.
    The names change with the content, so browsers may cache them for a year as immutable.
    """
    match = RENDITION_NAME.match(name)
    if match is None:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404 from None
    response = FileResponse(handle, content_type=CONTENT_TYPES[match.group(1)])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    return response


@never_cache
@login_required
@require_GET
def picture(request, image_id):
    """The owner's picture fragment, polled by htmx while the photo is being processed."""
    image = get_image_for_user(request.user, image_id)
    context = picture_context(
        image,
        alt=request.GET.get("alt", "")[:200],
        sizes=request.GET.get("sizes", DEFAULT_SIZES)[:200],
        css_class=request.GET.get("class", "")[:100],
        poll=True,
    )
    return HttpResponse(render_to_string("images/picture.html", context))
