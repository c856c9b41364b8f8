"""On PostgreSQL, GiST indexes on the radius areas' circles, so that a point search reads only the circles near it.

Each holds a circle as the cube that bounds it on the unit sphere: its centre (as 0011's indexes hold
points) enlarged by the chord of its radius. Queries use the same expression
(`referrals.services.nearest_first.CIRCLE_SQL`, copied here as migrations must not change with the code;
a test keeps the two equal).
"""

from django.db import migrations

UNIT_SPHERE_SQL = (  # as in 0011
    "cube(cube(cube(cos(radians({lat})) * cos(radians({lng}))), cos(radians({lat})) * sin(radians({lng}))), "
    "sin(radians({lat})))"
)
# The chord of an arc of `radius` km measured with the ellipsoid's smallest radius of curvature, padded 1 %.
CIRCLE_SQL = f"cube_enlarge({UNIT_SPHERE_SQL}, 2 * sin(least(pi(), {{radius}} * 1.01 / 6335.0) / 2), 3)"

CIRCLE_INDEXES = {
    "search_entry_public_circle": ("public_latitude", "public_longitude"),
    "search_entry_exact_circle": ("latitude", "longitude"),
}


def create_circle_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (lat, lng) in CIRCLE_INDEXES.items():
        expression = CIRCLE_SQL.format(lat=lat, lng=lng, radius="radius_km")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON referrals_searchentry USING gist (({expression})) "
            "WHERE kind = 'radius'"
        )


def drop_circle_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in CIRCLE_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0011_search_entries"),
    ]

    operations = [
        migrations.RunPython(create_circle_indexes, drop_circle_indexes),
    ]
