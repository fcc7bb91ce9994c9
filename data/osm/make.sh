#!/bin/sh
# Rebuilds demo-extract.osm.pbf from demo-extract.osm with osmium (Debian: osmium-tool).
# Only needed after editing the XML: the .pbf is committed, so tests do not need osmium.
set -eu
cd "$(dirname "$0")"
osmium cat --overwrite --no-progress -o demo-extract.osm.pbf demo-extract.osm
