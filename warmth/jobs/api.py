from datetime import datetime

from ninja import Router, Schema

from warmth.jobs.access import job_for_actor

router = Router(tags=["后台任务"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    done: int
    total: int
    percent: int
    message: str
    result: dict | None
    error: str
    result_name: str
    # the result file is deleted at files_expire_at (WARMTH_EXPORT_KEEP_DAYS after the job finished)
    files_expire_at: datetime | None
    files_expired: bool


@router.get("/{job_id}", response=JobOut, summary="任务进度")
def job_detail(request, job_id: int):
    return job_for_actor(request.auth, job_id)
