//! Geography: distances and bounding boxes on the WGS84 sphere.
