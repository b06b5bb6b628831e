from django.apps import AppConfig

#: the audit log's names of this app's actions (registered in ``ready``: the log is below and imports no app)
AUDIT_ACTIONS = {
    "pairing.assign": "指定结对帮扶干部",
    "pairing.visit": "记录结对帮扶走访",
}


class PairingConfig(AppConfig):
    name = "warmth.pairing"
    label = "pairing"
    verbose_name = "结对帮扶"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from warmth.audit.actions import register
        from warmth.pairing.models import Pairing, PairingVisit

        register(actions=AUDIT_ACTIONS, objects={"pairing": Pairing, "pairing_visit": PairingVisit},
                 fields={"cadre": "结对干部", "started_on": "结对开始", "ended_on": "结对结束",
                         "end_reason": "结束原因", "visited_on": "走访日期", "photos": "照片数"})
