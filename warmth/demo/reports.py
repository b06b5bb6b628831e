"""The last step of ``seed-demo``: build the statistics tally (``reports.tally``) once the records are loaded, so
the first form filled at a province or the root does not pay for it."""

from warmth.demo.pipeline import DemoContext, seeder
from warmth.reports import tally


@seeder(90, "统计汇总")
def seed_tally(ctx: DemoContext) -> None:
    done = tally.refresh(full=True)
    ctx.out(f"统计汇总：{done['orgs']:,} 个组织，{done['rows']:,} 行（{done['seconds']} 秒）")
