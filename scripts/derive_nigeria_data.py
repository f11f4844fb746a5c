"""Derive the demo's Nigeria files from the reference data (run once; output is committed).

    python scripts/derive_nigeria_data.py ../shared/data opendtm/geo/data/nigeria

Writes nga_adm1.geojson (copied as is), nga_adm2_borno.geojson (Borno's 27 LGA shapes,
named by their legacy ISO3 p-codes, with names from the global p-code list) and
nga_adm2_lgas.csv (all 774 LGAs' p-codes and names, COD-AB column names).
"""

import csv
import json
import shutil
import sys
from pathlib import Path


def main(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "nigeria" / "nga_adm1.geojson", target / "nga_adm1.geojson")
    rows = [
        row
        for row in csv.DictReader((source / "global_pcodes_adm1_adm2.csv").open(encoding="utf-8"))
        if row["Location"] == "NGA"
    ]
    states = {row["P-Code"]: row["Name"] for row in rows if row["Admin Level"] == "1"}
    lgas = [row for row in rows if row["Admin Level"] == "2"]
    with (target / "nga_adm2_lgas.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["adm1_pcode", "adm1_name", "adm2_pcode", "adm2_name", "valid_on"])
        for row in lgas:
            parent = row["Parent P-Code"]
            writer.writerow(
                [parent, states[parent], row["P-Code"], row["Name"], row["Valid from date"]]
            )
    names = {row["P-Code"]: row["Name"] for row in lgas}
    features = []
    for path in sorted((source / "nigeria" / "borno_adm2").glob("NGA008???.json")):
        legacy = path.stem  # NGA008021: the shapes use the ISO3 prefix, the list ISO2
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "adm1_pcode": "NGA008",
                    "adm1_name": "Borno",
                    "adm2_pcode": legacy,
                    "adm2_name": names["NG" + legacy[3:]],
                },
                "geometry": json.loads(path.read_text()),
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    (target / "nga_adm2_borno.geojson").write_text(json.dumps(collection, separators=(",", ":")))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
