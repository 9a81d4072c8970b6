from django.contrib import admin, messages
from django.core.files.storage import default_storage
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from microstore.images.models import Image
from microstore.images.services import image_delete, images_rerender


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "owner", "purpose", "status", "size", "attempts", "created_at"]
    list_filter = ["purpose", "status"]
    search_fields = ["owner__email"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    actions = ["rerender"]
    fields = [
        "thumbnail",
        "id",
        "owner",
        "purpose",
        "status",
        "format",
        "original_bytes",
        "width",
        "height",
        "dominant_color",
        "renditions",
        "rendition_spec",
        "error",
        "attempts",
        "created_at",
        "processed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # photos come in through the upload forms, which check them

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("preview"))
    def thumbnail(self, obj: Image):
        jpegs = obj.renditions_of("jpeg") if obj.is_ready else []
        if not jpegs:
            return obj.get_status_display()
        smallest = jpegs[0]
        return format_html(
            '<img src="{}" width="64" height="{}" alt="" loading="lazy">',
            default_storage.url(smallest["name"]),
            max(1, round(64 * smallest["height"] / smallest["width"])),
        )

    @admin.display(description=_("size"))
    def size(self, obj: Image):
        return f"{obj.width} × {obj.height}"

    @admin.action(description=_("Re-render selected images"))
    def rerender(self, request, queryset):
        summary = images_rerender(image_ids=list(queryset.values_list("pk", flat=True)), queue=True)
        self.message_user(
            request,
            ngettext(
                "%(count)d image will be re-rendered in the background.",
                "%(count)d images will be re-rendered in the background.",
                summary.queued,
            )
            % {"count": summary.queued},
            messages.SUCCESS,
        )

    def delete_model(self, request, obj):
        image_delete(image=obj)
