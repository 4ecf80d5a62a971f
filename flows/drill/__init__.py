"""Fire drills: the crisis protocol rehearsed against a scenario, simulated or live, and scored.

`scenario` is what a drill plays (YAML), `players` the scripted people, `simulated` one run on the
simulated clock, `scoring` the targets and the rating, `journal` and `series` what is kept of runs,
`live` a drill with the real cell on the real clock.
"""
