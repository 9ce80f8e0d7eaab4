"""The road network: graph, travel times, OSM import, coordinates, elevation and places."""
