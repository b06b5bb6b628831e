from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "warmth.campaigns"
    verbose_name = "送温暖活动"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # central money's default spend-by date is the end of the season's campaign window: the season answers
        # the funds app below it through its registry
        from warmth.campaigns import queries
        from warmth.funds import seasons

        seasons.SEASON_END.append(queries.season_end)
