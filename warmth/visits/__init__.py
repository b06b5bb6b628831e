"""走访 and 覆盖: the visits of a campaign and the coverage figures. Above payments (a visit may name its payment)
and the campaign season (``campaigns``); it adds its figures to the campaign's page through
``campaigns.extensions``."""
