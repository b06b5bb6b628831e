from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "warmth.visits"
    label = "visits"
    verbose_name = "走访"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # the campaign's page and API detail show coverage and money so far: plug them into the season's registry
        from warmth.campaigns import extensions
        from warmth.visits import api, planned, queries, unhelped  # noqa: F401 (unhelped registers its export job)

        extensions.PAGE.append(queries.page_figures)
        extensions.GROUP_PAGE.append(queries.group_page_figures)
        extensions.PLAN.append(planned.plan_visits)  # each planned household: visited or not yet
        extensions.DETAIL.append(api.detail_figures)

        # the audit log's words: action names, the visit's fields and kinds
        from warmth.audit.actions import register
        from warmth.visits.models import Visit

        register(actions={"campaign.visit": "登记走访", "campaign.visit_void": "作废走访记录"},
                 objects={"visit": Visit, "campaign_not_visited": "未走访名单", "never_helped": "未帮扶名单"},
                 fields={"cash": "慰问金", "models_only": "仅劳模", "season": "年度"})
