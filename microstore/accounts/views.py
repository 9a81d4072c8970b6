from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microstore.accounts.forms import AvatarForm, ProfileForm
from microstore.accounts.services import user_set_avatar, user_update_profile, user_upload_avatar


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=request.user, display_name=form.cleaned_data["display_name"])
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "avatar_form": AvatarForm()})


@login_required
@require_POST
def avatar_upload(request):
    form = AvatarForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {"form": ProfileForm(instance=request.user), "avatar_form": form}
        return render(request, "accounts/profile.html", context, status=400)
    user_upload_avatar(user=request.user, upload=form.cleaned_data["photo"])
    messages.success(request, _("Your new profile photo is saved."))
    return redirect("accounts:profile")


@login_required
@require_POST
def avatar_remove(request):
    user_set_avatar(user=request.user, image=None)
    messages.success(request, _("Your profile photo has been removed."))
    return redirect("accounts:profile")
