"""Routes of the archive pages, mounted at /archives/ (names without a namespace, like the other apps)."""

from django.urls import path

from warmth.archives import views

urlpatterns = [
    path("", views.archive_list, name="archive_list"),
    path("new/", views.archive_create, name="archive_create"),
    path("import/", views.archive_import, name="archive_import"),
    path("export/", views.archive_export, name="archive_export"),
    path("template/", views.archive_template, name="archive_template"),
    path("suggest/", views.archive_suggest, name="archive_suggest"),
    path("region/", views.archive_region, name="archive_region"),
    path("care/<slug:kind>/", views.archive_care, name="archive_care"),
    path("<int:pk>/", views.archive_detail, name="archive_detail"),
    path("<int:pk>/edit/", views.archive_edit, name="archive_edit"),
    path("<int:pk>/pdf/", views.archive_pdf, name="archive_pdf"),
    path("<int:pk>/promote/", views.archive_promote, name="archive_promote"),
    path("<int:pk>/plan/", views.archive_plan, name="archive_plan"),
    path("<int:pk>/attachments/", views.archive_attachments, name="archive_attachments"),
    path("<int:pk>/reviews/", views.archive_reviews, name="archive_reviews"),
    path("<int:pk>/objections/", views.archive_objections, name="archive_objections"),
    path("<int:pk>/objections/<int:objection>/resolve/", views.archive_objection_resolve,
         name="archive_objection_resolve"),
    path("<int:pk>/duplicates/<int:flag>/resolve/", views.archive_duplicate_resolve,
         name="archive_duplicate_resolve"),
    path("<int:pk>/transfer/", views.archive_transfer, name="archive_transfer"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/withdraw/", views.attachment_withdraw, name="attachment_withdraw"),
    path("transfers/<int:pk>/decide/", views.transfer_decide, name="transfer_decide"),
] + [
    # one route per lifecycle step (submit, accept, return, verify, end-publicity, approve, reject,
    # exit-request, exit-cancel, exit-approve, exit-finalize), each with its own name for the access sweep
    path(f"<int:pk>/{action.replace('_', '-')}/", view, name=f"archive_{action}")
    for action, view in views.STEP_VIEWS.items()
]
