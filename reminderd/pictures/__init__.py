"""Pictures of exercise steps, drawn by reminderd itself.

- ``pose``: the declarative pose a step gives in its TOML, validated and mirrored by side;
- ``figure``: a pose turned into shapes, in reminderd's one style (a pictogram of head,
  neck, shoulders and arms, with an arrow for the movement);
- ``raster``: those shapes drawn as anti-aliased pixels and written as PNG, in plain Python;
- ``cache``: where each picture lives in the cache folder, and the short subprocess
  (``python -m reminderd.pictures``) that draws the missing ones, so that the daemon never
  draws and never waits.

The art is reminderd's own, under reminderd's licence (MIT).
"""
