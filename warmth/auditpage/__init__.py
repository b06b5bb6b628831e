"""The audit log's page, API and CSV export (for 经审/纪检 and system admins), apart from the log itself
(``warmth.audit``): the log sits below orgs, since every service writes to it, and the page above orgs and
jobs, since it reads through the access rule and exports as a background job."""
