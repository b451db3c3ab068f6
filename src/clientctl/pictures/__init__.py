"""Pictures viewable in a browser, generated without graphviz: the layer graph (SVG and DOT) and the
CIDR pool map (SVG). Pure functions from data to text; the CLI writes the files."""
