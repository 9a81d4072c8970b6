"""Photos: checked on upload, kept private, published as small, sharp, metadata-free renditions.

Entry points for other apps:

* ``microstore.images.forms.ImageUploadField(purpose=Purpose.PRODUCT)`` — a form field. Its
  ``clean()`` checks the bytes (``validation.check_upload``: JPEG, PNG or WebP only, size and
  pixel caps, no animation, sensible shape, the purpose's minimum size, a real decode) and
  returns the upload with ``.checked`` attached. Bad files get a clear form error.
* ``microstore.images.services.image_create(*, upload, purpose, owner) -> Image`` — stores the
  original in the private storage and, once the transaction commits, enqueues
  ``tasks.process_image``, which makes WebP and JPEG renditions (upright, sRGB, no EXIF/GPS,
  no ICC, no XMP) at ``IMAGE_RENDITION_WIDTHS`` and records size and dominant colour. A photo
  that cannot be processed is marked failed and its owner is notified ("images.failed").
* ``{% load pictures %}{% picture image alt=... sizes="(min-width: 40rem) 50vw, 100vw"
  class="..." eager=False poll=False %}`` — a ``<picture>`` with ``srcset``, width, height and
  lazy loading; a placeholder in the same shape while processing or failed.
* Point at an ``Image`` from your model with ``models.ForeignKey(Image, null=True,
  on_delete=models.SET_NULL, related_name="+")``; that row is what the photo belongs to.
* ``manage.py rerender_images [--status failed] [--purpose product] [--queue]`` after changing
  the rendition widths or ``pipeline.PIPELINE_VERSION``.

Renditions are served at ``/media/img/<uuid>/<width>w-<hash>.(webp|jpg)`` by ``views.media``
with the right content type, ``nosniff`` and a one-year immutable cache; originals never are.
"""
